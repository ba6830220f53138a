using KubeProxy.Lab.Proxy;

namespace KubeProxy.Lab.Tests.Proxy;

public sealed class ManifestDirTests
{
    [Fact]
    public void WritesReplacesDeletesAndCleansUp()
    {
        string path;
        using (var dir = ManifestDir.Create())
        {
            path = dir.Path;
            dir.Write("svc.yaml", "a: 1\n");
            dir.Write("svc.yaml", "a: 2\n");
            dir.Write("slice.yaml", "b: 1\n");

            Assert.Equal("a: 2\n", dir.Read("svc.yaml"));
            Assert.Equal(["slice.yaml", "svc.yaml"], dir.Files);
            Assert.True(dir.Delete("slice.yaml"));
            Assert.False(dir.Delete("slice.yaml"));
            Assert.Equal(["svc.yaml"], dir.Files);
        }

        Assert.False(Directory.Exists(path));
    }

    [Theory]
    [InlineData("../escape.yaml")]
    [InlineData("sub/dir.yaml")]
    [InlineData(".hidden")]
    [InlineData("")]
    public void OnlyPlainFileNames(string name)
    {
        using var dir = ManifestDir.Create();

        Assert.Throws<ArgumentException>(() => dir.Write(name, "x"));
    }
}
