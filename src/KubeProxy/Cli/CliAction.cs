namespace KubeProxy.Cli;

/// <summary>What the command line asks kube-proxy to do.</summary>
public enum CliAction
{
    /// <summary>Run the proxy.</summary>
    Run,

    /// <summary>Print usage and exit 0 (--help, -h).</summary>
    Help,

    /// <summary>Print the version and exit 0 (--version, --version=raw).</summary>
    Version,

    /// <summary>Write the effective configuration to a file and exit 0 (--write-config-to).</summary>
    WriteConfig,

    /// <summary>Remove the rules of every mode and exit; non-zero on failure (--cleanup).</summary>
    Cleanup,

    /// <summary>Do the privileged set-up (sysctls, conntrack) and exit (--init-only).</summary>
    InitOnly,

    /// <summary>The command line or configuration is invalid: print the message, exit 1.</summary>
    Error,
}
