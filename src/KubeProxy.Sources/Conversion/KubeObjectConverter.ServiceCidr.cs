using System.Net;
using k8s.Models;
using KubeProxy.Core.Model;

namespace KubeProxy.Sources.Conversion;

public static partial class KubeObjectConverter
{
    public static ConversionResult<ServiceCidr> ToServiceCidr(V1ServiceCIDR cidr, string origin)
    {
        ArgumentNullException.ThrowIfNull(cidr);
        try
        {
            return ConversionResult<ServiceCidr>.Ok(ConvertServiceCidr(cidr));
        }
        catch (InvalidFieldException e)
        {
            return ConversionResult<ServiceCidr>.Invalid(e.Message);
        }
    }

    private static ServiceCidr ConvertServiceCidr(V1ServiceCIDR cidr)
    {
        var name = ValidName(cidr.Metadata, NameRules.Dns1123Subdomain);
        ValidLabels(cidr.Metadata.Labels);
        var texts = cidr.Spec?.Cidrs;
        const string path = "spec.cidrs";
        if (texts is null || texts.Count == 0) throw FieldError.Required(path, "at least one CIDR required");
        if (texts.Count > 2) throw FieldError.Invalid(path, texts, "may only hold up to 2 values");

        var result = new IPNetwork[texts.Count];
        for (var i = 0; i < texts.Count; i++)
        {
            result[i] = ValidCidr(texts[i], $"{path}[{i}]");
        }
        if (result.Length == 2 && result[0].Family() == result[1].Family())
            throw FieldError.Invalid(path, texts, "may specify no more than one IP for each IP family, i.e 192.168.0.0/24 and 2001:db8::/64");
        return new ServiceCidr(name, result);
    }
}
