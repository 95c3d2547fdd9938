// Fetch: Java's HttpsURLConnection with the JVM's default TLS settings, for
// capture.sh and the simulation tests. It trusts any certificate (this does
// not change the ClientHello) and prints the negotiated protocol and suite.
//
//   java Fetch https://tlsaudit.test:8443/
import java.net.URL;
import java.security.cert.X509Certificate;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

public class Fetch {
    public static void main(String[] args) throws Exception {
        TrustManager[] all = {new X509TrustManager() {
            public void checkClientTrusted(X509Certificate[] c, String a) {}
            public void checkServerTrusted(X509Certificate[] c, String a) {}
            public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
        }};
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, all, null);
        HttpsURLConnection c = (HttpsURLConnection) new URL(args[0]).openConnection();
        c.setSSLSocketFactory(ctx.getSocketFactory());
        c.setHostnameVerifier((h, s) -> true);
        c.setConnectTimeout(10000);
        c.setReadTimeout(10000);
        try {
            c.connect();
            c.getResponseCode();
            System.out.println("protocol=" + c.getSSLSession().map(s -> s.getProtocol()).orElse("?")
                + " suite=" + c.getCipherSuite());
        } catch (Exception e) {
            System.out.println("error: " + e);
            System.exit(1);
        }
    }
}
