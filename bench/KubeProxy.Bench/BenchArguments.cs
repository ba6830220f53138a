using System.Globalization;

namespace KubeProxy.Bench;

/// <summary><c>--name value</c> and <c>--flag</c> options; every option must be consumed, so typos fail loudly.</summary>
internal sealed class BenchArguments
{
    private readonly Dictionary<string, string?> _options = [];
    private readonly HashSet<string> _used = [];

    public BenchArguments(IEnumerable<string> arguments)
    {
        string? pending = null;
        foreach (var argument in arguments)
        {
            if (argument.StartsWith("--", StringComparison.Ordinal))
            {
                if (pending is not null) _options[pending] = null;
                pending = argument[2..];
                var eq = pending.IndexOf('=');
                if (eq >= 0)
                {
                    _options[pending[..eq]] = pending[(eq + 1)..];
                    pending = null;
                }
            }
            else if (pending is not null)
            {
                _options[pending] = argument;
                pending = null;
            }
            else
            {
                throw new ArgumentException($"unexpected argument '{argument}'");
            }
        }
        if (pending is not null) _options[pending] = null;
    }

    /// <summary>An integer option; "1_000_000" and "1,000,000" are accepted.</summary>
    public int Int(string name, int fallback) => _options.TryGetValue(name, out var v) && Use(name)
        ? int.Parse((v ?? throw new ArgumentException($"--{name} needs a value")).Replace("_", "").Replace(",", ""), NumberStyles.None, CultureInfo.InvariantCulture)
        : fallback;

    public double Double(string name, double fallback) => _options.TryGetValue(name, out var v) && Use(name)
        ? double.Parse(v ?? throw new ArgumentException($"--{name} needs a value"), CultureInfo.InvariantCulture)
        : fallback;

    public string String(string name, string fallback) => _options.TryGetValue(name, out var v) && Use(name)
        ? v ?? throw new ArgumentException($"--{name} needs a value")
        : fallback;

    public bool Flag(string name) => _options.ContainsKey(name) && Use(name);

    /// <summary>Throws for options no scenario asked for.</summary>
    public void EnsureAllUsed()
    {
        var unknown = _options.Keys.Where(k => !_used.Contains(k)).ToList();
        if (unknown.Count > 0) throw new ArgumentException($"unknown option(s): {string.Join(", ", unknown.Select(u => "--" + u))}");
    }

    private bool Use(string name) => _used.Add(name) || true;
}
