using KubeProxy.Nftables.State;

namespace KubeProxy.Nftables.Tests;

public class EndpointSlotAllocatorTests
{
    [Fact]
    public void Ranges_do_not_overlap_and_a_released_range_is_reused_only_for_the_same_size()
    {
        var allocator = new EndpointSlotAllocator();
        var a = allocator.Allocate(3);
        var b = allocator.Allocate(2);
        Assert.Equal(0u, a);
        Assert.Equal(3u, b);

        allocator.Release(a, 3);
        Assert.Equal(5u, allocator.Allocate(2)); // not the free 3-range: it would leave a hole of one nobody tracks
        Assert.Equal(a, allocator.Allocate(3));
        Assert.Equal(7u, allocator.Allocate(3));
        Assert.Equal(10u, allocator.Used);
    }
}
