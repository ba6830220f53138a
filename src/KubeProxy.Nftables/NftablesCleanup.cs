using KubeProxy.Core.Model;
using KubeProxy.Nftables.Execution;
using KubeProxy.Nftables.Rendering;

namespace KubeProxy.Nftables;

/// <summary>Removes kube-proxy's nftables tables (<c>--cleanup</c>, and other modes' start-up cleanup).</summary>
public static class NftablesCleanup
{
    /// <summary>Deletes the table of each family; an absent table is not an error. Returns the errors.</summary>
    public static IReadOnlyList<string> DeleteTables(INftRunner runner, string table = "kube-proxy")
    {
        var errors = new List<string>();
        foreach (var family in new[] { IPFamily.IPv4, IPFamily.IPv6 })
        {
            var f = NftFamily.Of(family);
            try
            {
                // Deleting an absent table fails with ENOENT, which is what we want anyway.
                runner.Apply($"delete table {f.Table} {table}\n");
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
