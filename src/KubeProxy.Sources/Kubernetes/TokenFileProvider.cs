using System.Net.Http.Headers;
using k8s.Authentication;

namespace KubeProxy.Sources.Kubernetes;

/// <summary>
/// A bearer token read from a file and read again every minute, because projected service-account tokens are
/// rotated by the kubelet (kubeadm's kube-proxy kubeconfig names the pod's token this way, with <c>tokenFile</c>).
/// </summary>
internal sealed class TokenFileProvider(string path, TimeProvider time) : ITokenProvider
{
    private static readonly TimeSpan RereadAfter = TimeSpan.FromMinutes(1);

    private readonly Lock _gate = new();
    private string? _token;
    private DateTimeOffset _readAt;

    public string Path { get; } = path;

    public Task<AuthenticationHeaderValue> GetAuthenticationHeaderAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var now = time.GetUtcNow();
            if (_token is null || now - _readAt >= RereadAfter)
            {
                _token = File.ReadAllText(Path).Trim();
                _readAt = now;
            }
            return Task.FromResult(new AuthenticationHeaderValue("Bearer", _token));
        }
    }
}
