using KubeProxy.Core.Model;
using KubeProxy.Nftables.Execution;
using KubeProxy.Nftables.Rendering;

namespace KubeProxy.Nftables;

/// <summary>Removes kube-proxy's nftables tables (<c>--cleanup</c>, and other modes' start-up cleanup).</summary>
public static class NftablesCleanup
{
    /// <summary>Deletes the tables of each family (the main table and the other Service tables, see
    /// <see cref="ServiceTables"/>); an absent table is not an error. Returns the errors.</summary>
    public static IReadOnlyList<string> DeleteTables(INftRunner runner, string table = "kube-proxy")
    {
        var errors = new List<string>();
        var ours = new ServiceTables(table, 1);
        foreach (var family in new[] { IPFamily.IPv4, IPFamily.IPv6 })
        {
            var f = NftFamily.Of(family);
            IReadOnlyList<string> tables;
            try
            {
                var listed = runner.ListTables(f).Where(ours.IsOurs).ToList();
                // A runner that cannot list (or found nothing) still tries the main table.
                tables = listed.Count > 0 ? listed : [table];
            }
            catch (NftException e)
            {
                errors.Add(e.Message);
                tables = [table];
            }
            foreach (var t in tables)
            {
                try
                {
                    // One table at a time: a table gone meanwhile (ENOENT) is what we want, and must not keep the others.
                    runner.Apply($"delete table {f.Table} {t}\n");
                }
                catch (NftException e) when (e.Message.Contains("No such file or directory", StringComparison.Ordinal))
                {
                }
                catch (NftException e)
                {
                    errors.Add(e.Message);
                }
            }
        }
        return errors;
    }
}
