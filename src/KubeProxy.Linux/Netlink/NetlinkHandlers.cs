namespace KubeProxy.Linux.Netlink;

/// <summary>Called for each reply message, in place; copy what you keep, the buffer is reused.</summary>
public delegate void NetlinkMessageHandler(in NetlinkMessage message);

/// <summary>Called for each request of a batch the kernel refused; <paramref name="messageIndex"/> counts from 0.</summary>
public delegate void NetlinkErrorHandler(int messageIndex, int errno, string? kernelMessage);
