using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace PSSocAutomation.Lab.Hosting;

/// <summary>
/// A self-signed certificate like the one a default IRIS install serves (self-issued and already expired),
/// generated fresh for each Lab so no key material lives in the repository.
/// </summary>
public static class LabCertificate
{
    public static X509Certificate2 Create(bool expired = true)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=iris.lab.local, O=PSSocAutomation Lab", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        san.AddDnsName("iris.lab.local");
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection { new Oid("1.3.6.1.5.5.7.3.1") }, false));
        var now = DateTimeOffset.UtcNow;
        var (from, to) = expired ? (now.AddYears(-3), now.AddDays(-30)) : (now.AddDays(-1), now.AddYears(1));
        using var cert = request.CreateSelfSigned(from, to);
        // Round-trip through PKCS#12 so Kestrel gets a certificate whose private key it can use on every platform.
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pkcs12), null, X509KeyStorageFlags.Exportable);
    }
}
