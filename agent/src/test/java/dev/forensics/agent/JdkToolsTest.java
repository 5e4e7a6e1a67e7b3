package dev.forensics.agent;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JdkToolsTest {
    @Test
    void jdkToolsAreRecognisedAndApplicationsAreNot() {
        assertThat(JdkTools.isJdkToolMain("jdk.jcmd/sun.tools.jcmd.JCmd 123 help")).isTrue();
        assertThat(JdkTools.isJdkToolMain("sun.tools.jps.Jps -q")).isTrue();
        assertThat(JdkTools.isJdkToolMain("jdk.compiler/com.sun.tools.javac.Main A.java")).isTrue();
        assertThat(JdkTools.isJdkToolMain("jdk.jfr/jdk.jfr.internal.tool.Main print x.jfr")).isTrue();
        assertThat(JdkTools.isJdkToolMain("com.acme.Server --port 8080")).isFalse();
        assertThat(JdkTools.isJdkToolMain("/opt/app/app.jar")).isFalse();
        assertThat(JdkTools.isJdkToolMain("")).isFalse();
    }
}
