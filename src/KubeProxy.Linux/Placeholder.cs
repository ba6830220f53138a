namespace KubeProxy.Linux;
