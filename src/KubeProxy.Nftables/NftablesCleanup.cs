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
            try
            {
                // Only tables that exist, in one batch (one absent table would fail it); a runner that cannot list
                // tries the main table alone, and deleting an absent table fails with ENOENT, which is what we want.
                var listed = runner.ListTables(f).Where(ours.IsOurs).ToList();
                var tables = listed.Count > 0 ? listed : [table];
                runner.Apply(string.Concat(tables.Select(t => $"delete table {f.Table} {t}\n")));
            }
            catch (NftException e) when (e.Message.Contains("No such file or directory", StringComparison.Ordinal))
            {
            }
            catch (NftException e)
            {
                errors.Add(e.Message);
            }
        }
        return errors;
    }
}
