using KubeProxy.Linux.Processes;

namespace KubeProxy.Linux.Tests.Processes;

public class NativeHeapTests
{
    [Fact]
    public void Malloc_trim_is_found_in_this_C_library()
    {
        // Debian's glibc has it; were the binding wrong (name, library), Trim would quietly report false forever.
        Assert.True(NativeHeap.Trim());
    }
}
