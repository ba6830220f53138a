using KubeProxy.Core.Model;
using KubeProxy.Sources.Conversion;

namespace KubeProxy.Sources.Kubernetes.Reflection;

internal sealed partial class Reflector<TObject, TModel>
{
    /// <summary>The local store: converted models of the objects the server holds, by namespace/name.</summary>
    private readonly Dictionary<ObjectName, TModel> _store = [];

    /// <summary>Objects rejected by the converter, with the reason already logged (so a relist does not log again).</summary>
    private readonly Dictionary<ObjectName, string> _invalid = [];

    private int _upserts;
    private int _deletes;

    /// <summary>The number of objects in the local store.</summary>
    public int Count => _store.Count;

    /// <summary>
    /// Lists every page and reconciles the store with the result: changed and new objects are delivered as the pages
    /// arrive, objects missing from the complete list are deleted at the end. A failure half-way leaves deletions
    /// undone (the list is not known to be complete), so an unreachable server never empties the store.
    /// </summary>
    private async Task ListAsync(ListMode mode, bool relist, CancellationToken cancellationToken)
    {
        var resourceVersion = mode switch
        {
            ListMode.Any => "0",
            ListMode.NotOlderThan => _lastResourceVersion,
            _ => null,
        };
        var match = mode == ListMode.NotOlderThan && resourceVersion is not null ? "NotOlderThan" : null;
        var pageSize = _settings.PageSize;
        var present = new HashSet<ObjectName>();
        var listed = new HashSet<ObjectName>();
        (_upserts, _deletes) = (0, 0);
        string? next = null;
        string? listVersion;
        while (true)
        {
            // The real server refuses a resourceVersion together with a continue token: only the first page has one.
            var request = new ListRequest(_settings.LabelSelector, _settings.FieldSelector, pageSize, next,
                next is null ? resourceVersion : null, next is null ? match : null);
            ListPage<TObject> page;
            try
            {
                page = await ListPageAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (next is not null && pageSize > 0 && ApiErrors.IsGone(e))
            {
                // The snapshot behind the continue token was compacted: list everything in one go, as client-go's pager does.
                _logger.ContinueExpired(Resource);
                (next, pageSize, resourceVersion, match) = (null, 0, null, null);
                present.Clear();
                listed.Clear();
                continue;
            }
            foreach (var obj in page.Items)
            {
                var key = KeyOf(obj);
                listed.Add(key);
                if (Apply(obj)) present.Add(key);
            }
            listVersion = page.ResourceVersion;
            next = page.Continue;
            if (next is null) break;
        }

        foreach (var key in _store.Keys.Where(k => !present.Contains(k)).ToList()) Remove(key);
        foreach (var key in _invalid.Keys.Where(k => !listed.Contains(k)).ToList()) _invalid.Remove(key);
        _listener.OnBatchEnd();
        if (!string.IsNullOrEmpty(listVersion)) _lastResourceVersion = listVersion;
        if (relist) _logger.Relisted(Resource, _lastResourceVersion, _upserts, _deletes);
    }

    private async Task<ListPage<TObject>> ListPageAsync(ListRequest request, CancellationToken cancellationToken)
    {
        using var deadline = new CancellationTokenSource(_settings.ListTimeout, _time);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            return await _api.ListAsync(request, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"no complete answer within {_settings.ListTimeout}");
        }
    }

    /// <summary>Converts one object and updates the store; returns whether the object is present afterwards.</summary>
    private bool Apply(TObject obj)
    {
        var key = KeyOf(obj);
        ConversionResult<TModel> result;
        try
        {
            result = _convert(obj);
        }
        catch (Exception e)
        {
            // A converter bug must not stop the watch of every other object.
            result = ConversionResult<TModel>.Invalid("conversion failed: " + e.Message);
        }

        if (result.Value is { } model)
        {
            _invalid.Remove(key);
            if (!_store.TryGetValue(key, out var current) || !EqualityComparer<TModel>.Default.Equals(current, model))
            {
                _store[key] = model;
                _upserts++;
                _listener.OnUpsert(key, model);
            }
            return true;
        }

        if (result.Ignored)
        {
            _invalid.Remove(key);
        }
        else if (!_invalid.TryGetValue(key, out var logged) || logged != result.Error)
        {
            _invalid[key] = result.Error ?? "invalid";
            _logger.InvalidObject(Resource, key.ToString(), result.Error ?? "invalid");
        }
        Remove(key);
        return false;
    }

    private void Remove(ObjectName key)
    {
        if (!_store.Remove(key)) return;
        _deletes++;
        _listener.OnDelete(key);
    }
}
