// BcEncrypt: Bouncy Castle (Debian libbcpkix-java) as an independent
// encryptor for the decryption tests. Run with the source launcher:
//   java -cp bcprov.jar:bcpkix.jar:bcutil.jar BcEncrypt.java CONTENT OUT.der CIPHER TRANSPORT CERT.pem...
// CIPHER is cbc (EnvelopedData, AES-256-CBC) or gcm (AuthEnvelopedData,
// AES-256-GCM); TRANSPORT is pkcs1 or oaep (RSA-OAEP with SHA-256) for RSA
// certificates; EC certificates always get ECDH (RFC 5753, SHA-256 KDF,
// AES-256 key wrap). Writes the DER ContentInfo; exit 1 with the reason
// on standard error when it cannot.
import java.io.FileReader;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Security;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.spec.MGF1ParameterSpec;

import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;

import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cms.CMSAlgorithm;
import org.bouncycastle.cms.CMSAuthEnvelopedDataGenerator;
import org.bouncycastle.cms.CMSEnvelopedDataGenerator;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.RecipientInfoGenerator;
import org.bouncycastle.cms.jcajce.JceCMSContentEncryptorBuilder;
import org.bouncycastle.cms.jcajce.JceKeyAgreeRecipientInfoGenerator;
import org.bouncycastle.cms.jcajce.JceKeyTransRecipientInfoGenerator;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.operator.OutputAEADEncryptor;
import org.bouncycastle.operator.jcajce.JcaAlgorithmParametersConverter;

public class BcEncrypt {
    static X509Certificate certificate(String path) throws Exception {
        try (PEMParser pem = new PEMParser(new FileReader(path))) {
            return new JcaX509CertificateConverter().setProvider("BC")
                    .getCertificate((X509CertificateHolder) pem.readObject());
        }
    }

    static RecipientInfoGenerator recipient(X509Certificate cert, boolean oaep) throws Exception {
        if (cert.getPublicKey() instanceof ECPublicKey) {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", "BC");
            generator.initialize(((ECPublicKey) cert.getPublicKey()).getParams());
            KeyPair ephemeral = generator.generateKeyPair();
            return new JceKeyAgreeRecipientInfoGenerator(CMSAlgorithm.ECDH_SHA256KDF, ephemeral.getPrivate(),
                    ephemeral.getPublic(), CMSAlgorithm.AES256_WRAP).addRecipient(cert).setProvider("BC");
        }
        if (!oaep)
            return new JceKeyTransRecipientInfoGenerator(cert).setProvider("BC");
        OAEPParameterSpec spec = new OAEPParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256,
                PSource.PSpecified.DEFAULT);
        return new JceKeyTransRecipientInfoGenerator(cert, new JcaAlgorithmParametersConverter()
                .getAlgorithmIdentifier(PKCSObjectIdentifiers.id_RSAES_OAEP, spec)).setProvider("BC");
    }

    public static void main(String[] args) throws Exception {
        Security.addProvider(new BouncyCastleProvider());
        byte[] content = Files.readAllBytes(Paths.get(args[0]));
        boolean gcm = args[2].equals("gcm");
        boolean oaep = args[3].equals("oaep");
        byte[] der;
        if (gcm) {
            CMSAuthEnvelopedDataGenerator generator = new CMSAuthEnvelopedDataGenerator();
            for (int i = 4; i < args.length; ++i)
                generator.addRecipientInfoGenerator(recipient(certificate(args[i]), oaep));
            OutputAEADEncryptor encryptor = (OutputAEADEncryptor) new JceCMSContentEncryptorBuilder(
                    CMSAlgorithm.AES256_GCM).setProvider("BC").build();
            der = generator.generate(new CMSProcessableByteArray(content), encryptor).getEncoded();
        } else {
            CMSEnvelopedDataGenerator generator = new CMSEnvelopedDataGenerator();
            for (int i = 4; i < args.length; ++i)
                generator.addRecipientInfoGenerator(recipient(certificate(args[i]), oaep));
            der = generator.generate(new CMSProcessableByteArray(content),
                    new JceCMSContentEncryptorBuilder(CMSAlgorithm.AES256_CBC).setProvider("BC").build()).getEncoded();
        }
        Files.write(Paths.get(args[1]), der);
    }
}
