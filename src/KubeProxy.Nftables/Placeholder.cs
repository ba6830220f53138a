namespace KubeProxy.Nftables;
