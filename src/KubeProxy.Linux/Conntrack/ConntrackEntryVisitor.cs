namespace KubeProxy.Linux.Conntrack;

/// <summary>Receives each dumped entry; the entry lives on the stack, copy it to keep it.</summary>
public delegate void ConntrackEntryVisitor(in ConntrackEntry entry);
