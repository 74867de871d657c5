package tfpeft.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tfpeft.config.proto.RunConfig;

class ConfigReferenceTest {
  @Test
  void everyFieldHasAComment() {
    Set<Descriptor> seen = new HashSet<>();
    ArrayDeque<Descriptor> queue = new ArrayDeque<>();
    queue.add(RunConfig.getDescriptor());
    while (!queue.isEmpty()) {
      Descriptor m = queue.poll();
      if (!seen.add(m)) {
        continue;
      }
      for (FieldDescriptor f : m.getFields()) {
        assertTrue(!ConfigReference.comment(f).isEmpty(),
            f.getFullName() + " has no comment in run.proto");
        if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
          queue.add(f.getMessageType());
        }
      }
    }
  }

  @Test
  void theDocsCarryTheCurrentReference() throws Exception {
    String page = Files.readString(Path.of("docs/config-reference.md"));
    String begin = "<!-- config-reference:begin -->\n";
    String end = "<!-- config-reference:end -->";
    int from = page.indexOf(begin) + begin.length();
    int to = page.indexOf(end);
    assertTrue(from > begin.length() && to > from,
        "docs/config-reference.md lacks the reference markers");
    assertEquals(ConfigReference.markdown(), page.substring(from, to),
        "docs/config-reference.md is stale: run tools/update_config_reference.py");
  }
}
