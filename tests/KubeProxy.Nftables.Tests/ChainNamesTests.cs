using System.Security.Cryptography;
using System.Text;
using KubeProxy.Core.Model;
using KubeProxy.Nftables.Rendering;

namespace KubeProxy.Nftables.Tests;

/// <summary>
/// Chain names are what the kernel holds: a new way of forming them must give exactly the old names, or an upgrade
/// would see every chain as stale. The reference below is the plain form (hash the UTF-8, base32 the first five
/// bytes, cut H8-name at 240 with "...", then prefix), checked against the allocation-lean one for short, boundary
/// and long names.
/// </summary>
public class ChainNamesTests
{
    public static TheoryData<int> Lengths => [1, 30, 230, 231, 232, 233, 240, 300, 600];

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Names_are_formed_as_before_at_every_length(int length)
    {
        var name = string.Concat(Enumerable.Range(0, length).Select(i => (char)('a' + i % 26)));
        Assert.Equal(Reference(name), ChainNames.HashAndTruncate(name));
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void The_kind_prefix_comes_on_top_of_the_cut(int length)
    {
        var service = new ServicePortName(new ObjectName("default", new string('s', length)), "http", Protocol.TCP);
        var readable = ChainNames.ServiceBase(service);
        Assert.Equal("service-" + Reference(readable), ChainNames.Service(service));
        Assert.Equal("firewall-" + Reference(readable), ChainNames.Firewall(service));
    }

    [Fact]
    public void A_known_name_keeps_its_hash()
    {
        // Computed independently (Python: base32(sha256("default/web/tcp/http"))[:8]); a change to the hashing shows
        // here even if the implementation and the reference above changed together.
        Assert.Equal("SUSTUHLJ-default/web/tcp/http", ChainNames.HashAndTruncate("default/web/tcp/http"));
    }

    [Fact]
    public void Names_hashed_on_many_threads_agree()
    {
        var names = Enumerable.Range(0, 2000).Select(i => $"ns-{i}/svc/tcp/p__198.18.{i / 250}.{i % 250}/8080").ToArray();
        var parallel = new string[names.Length];
        Parallel.For(0, names.Length, i => parallel[i] = ChainNames.HashAndTruncate(names[i]));
        Assert.Equal(names.Select(Reference), parallel);
    }

    private static string Reference(string name)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(name));
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        ulong bits = 0;
        for (var i = 0; i < 5; i++) bits = (bits << 8) | hash[i];
        var chars = new char[8];
        for (var i = 7; i >= 0; i--)
        {
            chars[i] = Alphabet[(int)(bits & 31)];
            bits >>= 5;
        }
        var result = new string(chars) + "-" + name;
        return result.Length > 240 ? result[..237] + "..." : result;
    }
}
