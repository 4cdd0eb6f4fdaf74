// BcDecrypt: Bouncy Castle (Debian libbcpkix-java) as an independent
// decryptor for the tests. Run with the source launcher:
//   java -cp bcprov.jar:bcpkix.jar:bcutil.jar BcDecrypt.java MESSAGE.der CERT.pem KEY.pem
// Opens a DER ContentInfo of EnvelopedData or AuthEnvelopedData (GCM: the tag
// is checked) with the RecipientInfo of that certificate (key transport or
// key agreement) and writes the content to standard output. Exit 0 when it
// decrypted, 1 with the reason on standard error when not.
import java.io.FileReader;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.security.PrivateKey;
import java.security.Security;
import java.security.cert.X509Certificate;

import org.bouncycastle.asn1.cms.CMSObjectIdentifiers;
import org.bouncycastle.asn1.cms.ContentInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cms.CMSAuthEnvelopedData;
import org.bouncycastle.cms.CMSEnvelopedData;
import org.bouncycastle.cms.Recipient;
import org.bouncycastle.cms.RecipientInformation;
import org.bouncycastle.cms.RecipientInformationStore;
import org.bouncycastle.cms.jcajce.JceKeyAgreeEnvelopedRecipient;
import org.bouncycastle.cms.jcajce.JceKeyAgreeRecipientId;
import org.bouncycastle.cms.jcajce.JceKeyTransEnvelopedRecipient;
import org.bouncycastle.cms.jcajce.JceKeyTransRecipientId;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;

public class BcDecrypt {
    public static void main(String[] args) throws Exception {
        Security.addProvider(new BouncyCastleProvider());
        byte[] der = Files.readAllBytes(Paths.get(args[0]));
        X509Certificate cert;
        try (PEMParser pem = new PEMParser(new FileReader(args[1]))) {
            cert = new JcaX509CertificateConverter().setProvider("BC")
                    .getCertificate((X509CertificateHolder) pem.readObject());
        }
        PrivateKey key;
        try (PEMParser pem = new PEMParser(new FileReader(args[2]))) {
            key = new JcaPEMKeyConverter().setProvider("BC").getPrivateKey((PrivateKeyInfo) pem.readObject());
        }
        ContentInfo info = ContentInfo.getInstance(der);
        boolean authenticated = info.getContentType().equals(CMSObjectIdentifiers.authEnvelopedData);
        RecipientInformationStore store = authenticated ? new CMSAuthEnvelopedData(der).getRecipientInfos()
                                                        : new CMSEnvelopedData(der).getRecipientInfos();
        boolean agree = key.getAlgorithm().startsWith("EC");
        RecipientInformation mine = agree ? store.get(new JceKeyAgreeRecipientId(cert))
                                          : store.get(new JceKeyTransRecipientId(cert));
        if (mine == null) {
            System.err.println("no RecipientInfo names this certificate");
            System.exit(1);
        }
        Recipient recipient = agree ? new JceKeyAgreeEnvelopedRecipient(key).setProvider("BC")
                                    : new JceKeyTransEnvelopedRecipient(key).setProvider("BC");
        System.out.write(mine.getContent(recipient));
        System.out.flush();
        System.err.println((authenticated ? "authEnvelopedData " : "envelopedData ")
                + mine.getKeyEncryptionAlgOID() + " " + (agree ? "key agreement" : "key transport"));
    }
}
