package dev.forensics.termination;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;

/** The generated class gives back exactly the library the build compiled, byte for byte (every value 0-255). */
class NativeImageTest {
    @Test
    void bytesAreTheCompiledLibrary() throws Exception {
        Path lib = Paths.get("target", "native", "linux-" + NativeImage.ARCH, "libforensics.so");
        assertThat(lib).exists();
        byte[] expected = Files.readAllBytes(lib);
        assertThat(NativeImage.bytes()).hasSize(NativeImage.LENGTH).isEqualTo(expected);
        int[] seen = new int[256];
        for (byte b : expected) {
            seen[b & 0xFF]++;
        }
        assertThat(seen[0]).as("NULs").isPositive();
        assertThat(seen[0xFF] + seen[0x80] + seen[0xC0]).as("high bytes").isPositive();
    }
}
