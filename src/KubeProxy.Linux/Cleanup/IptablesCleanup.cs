using System.Text;
using KubeProxy.Linux.Processes;

namespace KubeProxy.Linux.Cleanup;

/// <summary>
/// Removes what the iptables and ipvs modes leave behind (the nftables mode does this at start, best effort, as
/// upstream): the jump rules from the built-in chains, then kube-proxy's own KUBE-* chains. Chains kubelet owns
/// (KUBE-FIREWALL, KUBE-MARK-DROP, KUBE-KUBELET-CANARY) are left alone.
/// </summary>
public static class IptablesCleanup
{
    private static readonly string[] OwnedChains =
    [
        "KUBE-SERVICES", "KUBE-EXTERNAL-SERVICES", "KUBE-NODEPORTS", "KUBE-POSTROUTING", "KUBE-FORWARD",
        "KUBE-PROXY-FIREWALL", "KUBE-PROXY-CANARY", "KUBE-MARK-MASQ", "KUBE-LOAD-BALANCER", "KUBE-NODE-PORT",
    ];

    private static readonly string[] OwnedPrefixes = ["KUBE-SVC-", "KUBE-SVL-", "KUBE-EXT-", "KUBE-FW-", "KUBE-SEP-"];

    public static bool IsOwned(string chain) =>
        OwnedChains.Contains(chain) || OwnedPrefixes.Any(p => chain.StartsWith(p, StringComparison.Ordinal));

    /// <summary>Builds the iptables-restore input that removes kube-proxy's chains from an iptables-save dump;
    /// empty when there is nothing to remove.</summary>
    public static string BuildRestoreInput(string iptablesSave)
    {
        var output = new StringBuilder();
        string? table = null;
        var declare = new List<string>();
        var deletes = new List<string>();
        foreach (var raw in iptablesSave.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.StartsWith('*'))
            {
                table = line[1..];
                declare.Clear();
                deletes.Clear();
            }
            else if (line.StartsWith(':'))
            {
                var chain = line[1..].Split(' ')[0];
                if (IsOwned(chain)) declare.Add(chain);
            }
            else if (line.StartsWith("-A ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ');
                var chain = parts[1];
                var jump = Array.IndexOf(parts, "-j");
                var target = jump >= 0 && jump + 1 < parts.Length ? parts[jump + 1] : "";
                // Rules inside owned chains go with the chain; jumps from other chains must be deleted first.
                if (!IsOwned(chain) && IsOwned(target)) deletes.Add("-D " + line[3..]);
            }
            else if (line == "COMMIT" && table is not null)
            {
                if (declare.Count > 0 || deletes.Count > 0)
                {
                    output.Append('*').Append(table).Append('\n');
                    foreach (var c in declare) output.Append(':').Append(c).Append(" - [0:0]\n");
                    foreach (var d in deletes) output.Append(d).Append('\n');
                    foreach (var c in declare) output.Append("-X ").Append(c).Append('\n');
                    output.Append("COMMIT\n");
                }
                table = null;
            }
        }
        return output.ToString();
    }

    /// <summary>Runs the cleanup for iptables and ip6tables; returns the errors (missing tools are not errors).</summary>
    public static IReadOnlyList<string> Run()
    {
        var errors = new List<string>();
        foreach (var (save, restore) in new[] { ("iptables-save", "iptables-restore"), ("ip6tables-save", "ip6tables-restore") })
        {
            if (!ProcessRunner.IsOnPath(save) || !ProcessRunner.IsOnPath(restore)) continue;
            try
            {
                var dump = ProcessRunner.Run(save, []);
                if (!dump.Succeeded) continue;
                var input = BuildRestoreInput(dump.StandardOutput);
                if (input.Length == 0) continue;
                var result = ProcessRunner.Run(restore, ["-w", "5", "--noflush"], input);
                if (!result.Succeeded) errors.Add($"{restore}: {result.StandardError.Trim()}");
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
            {
                errors.Add($"{save}: {e.Message}");
            }
        }

        // ipvs mode's ipsets. (IPVS virtual servers themselves need the ip_vs module, absent on many kernels.)
        if (ProcessRunner.IsOnPath("ipset"))
        {
            var list = ProcessRunner.Run("ipset", ["list", "-n"]);
            if (list.Succeeded)
            {
                foreach (var name in list.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    if (!name.StartsWith("KUBE-", StringComparison.Ordinal)) continue;
                    var r = ProcessRunner.Run("ipset", ["destroy", name]);
                    if (!r.Succeeded) errors.Add($"ipset destroy {name}: {r.StandardError.Trim()}");
                }
            }
        }
        return errors;
    }
}
