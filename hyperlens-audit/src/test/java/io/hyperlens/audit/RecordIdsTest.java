package io.hyperlens.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RecordIdsTest {
  @Test
  void idsAreDistinctVersionFourUuidsAcrossBlocks() {
    RecordIds ids = new RecordIds();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 1000; i++) { // about four 4 KiB blocks
      String id = ids.next();
      assertThat(id)
          .matches("audit-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
      UUID uuid = UUID.fromString(id.substring(6));
      assertThat(uuid.version()).isEqualTo(4);
      assertThat(uuid.variant()).isEqualTo(2);
      assertThat(seen.add(id)).as(id).isTrue();
    }
  }
}
