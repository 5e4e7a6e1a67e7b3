package dev.forensics.report;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RedactionTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "https://api.example.com/v1/chat|https://api.example.com/v1/chat",
        "https://api.example.com/v1/chat?key=sk-12345|https://api.example.com/v1/chat?key=***",
        "https://user:hunter2@api.example.com/x|https://***@api.example.com/x",
        "https://user@api.example.com/x|https://***@api.example.com/x",
        "http://a:b@h:8080/p?x=1&y=2#frag|http://***@h:8080/p?x=***&y=***#***",
        "https://h/p?access_token=abc&&debug=|https://h/p?access_token=***&&debug=",
        "https://h/p?token=a=b=c|https://h/p?token=***",
        "https://h/p?wsdl|https://h/p?wsdl",
        "https://h/p?c2VjcmV0LXRva2VuLXZhbHVl|https://h/p?***",
        "https://h/cb#access_token=eyJhbGciOi&state=1|https://h/cb#access_token=***&state=***",
        "https://h/p;jsessionid=ABC123?x=1|https://h/p;jsessionid=ABC123?x=***",
        "https://h/p?a=1;b=2|https://h/p?a=***;b=***",
        "//user:pw@h/p|//user:pw@h/p",
        "HTTPS://U:P@H/|HTTPS://***@H/",
        "ftp://anonymous:me%40x.com@ftp.example.com/f|ftp://***@ftp.example.com/f",
        "https://[::1]:8443/p?q=secret|https://[::1]:8443/p?q=***",
        "https://h/p?%74oken=x|https://h/p?%74oken=***",
        "not a url at all|not a url at all",
        "https://h/p?x=%zz%|https://h/p?x=***",
        "https://h/a@b?c=d|https://h/a@b?c=***",
    })
    void urlsLoseUserinfoAndQueryValues(String in, String expected) {
        assertThat(Redaction.url(in)).isEqualTo(expected);
    }

    @Test
    void noSecretSurvivesAnyUrlInTheCorpus() {
        String[] secrets = {"hunter2", "sk-12345", "eyJhbGciOi", "s3cr3t"};
        String[] urls = {
            "https://u:hunter2@h/p", "https://h/p?k=sk-12345", "https://h/#id_token=eyJhbGciOi", "https://h/p?a=1&b=s3cr3t&c",
            "https://h/p?k=sk-12345#x", "https://u:hunter2@h:1/p?q=s3cr3t",
        };
        for (String u : urls) {
            String r = Redaction.url(u);
            for (String s : secrets) {
                assertThat(r).as(u).doesNotContain(s);
            }
        }
    }

    @Test
    void credentialHeadersAreMasked() {
        assertThat(Redaction.header("Authorization", "Bearer abc")).isEqualTo("***");
        assertThat(Redaction.header("proxy-authorization", "Basic abc")).isEqualTo("***");
        assertThat(Redaction.header("Cookie", "a=b")).isEqualTo("***");
        assertThat(Redaction.header("X-Api-Key", "k")).isEqualTo("***");
        assertThat(Redaction.header("X-Auth-Token", "k")).isEqualTo("***");
        assertThat(Redaction.header("Content-Type", "text/plain")).isEqualTo("text/plain");
    }

    @Test
    void commandLinesLoseSecretArguments() {
        assertThat(Redaction.commandLine(new String[] {"java", "--password=hunter2", "-jar", "app.jar"}))
                .isEqualTo("java --password=*** -jar app.jar");
        assertThat(Redaction.commandLine(new String[] {"deploy.sh", "--password", "hunter2", "--env", "prod"}))
                .isEqualTo("deploy.sh --password *** --env prod");
        assertThat(Redaction.commandLine(new String[] {"curl", "-H", "Authorization: Bearer abc.def", "https://u:p@h/x?token=t"}))
                .doesNotContain("abc.def").doesNotContain("u:p").doesNotContain("token=t");
        assertThat(Redaction.commandLine(new String[] {"app", "token=abc", "-Ddb.password=pw", "API_KEY=k1"}))
                .isEqualTo("app token=*** -Ddb.password=*** API_KEY=***");
        assertThat(Redaction.commandLine(new String[] {"bash", "/opt/deploy.sh", "restart"})).isEqualTo("bash /opt/deploy.sh restart");
    }

    @Test
    void redactionCanBeSwitchedOff() {
        try {
            Redaction.setEnabled(false);
            assertThat(Redaction.url("https://u:p@h/?k=v")).isEqualTo("https://u:p@h/?k=v");
        } finally {
            Redaction.setEnabled(true);
        }
    }
}
