namespace KubeProxy.Configuration;

/// <summary>
/// What went wrong while decoding a config file. <see cref="Errors"/> are fatal (wrong types, bad durations).
/// Unknown and duplicate fields are what upstream's strict decoder rejects; upstream then decodes the v1alpha1
/// file again leniently and only logs them, and so do we.
/// </summary>
internal sealed class ConfigDecodeProblems
{
    public List<string> Errors { get; } = [];

    public List<string> UnknownFields { get; } = [];

    public List<string> DuplicateFields { get; } = [];

    public bool HasStrictErrors => UnknownFields.Count > 0 || DuplicateFields.Count > 0;

    /// <summary>The strict-decoding error text, in upstream's wording.</summary>
    public string StrictErrorMessage =>
        "strict decoding error: " + string.Join(", ",
            UnknownFields.Select(f => "unknown field \"" + f + "\"")
                .Concat(DuplicateFields.Select(f => "duplicate field \"" + f + "\"")));
}
