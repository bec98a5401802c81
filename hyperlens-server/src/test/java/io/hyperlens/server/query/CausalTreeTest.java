package io.hyperlens.server.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEvent;
import io.hyperlens.trace.CausalTraceId;
import java.util.List;
import org.junit.jupiter.api.Test;

class CausalTreeTest {
  private static final CausalTraceId ROOT = CausalTraceId.fromString("a1b2c3d4e5f6/00000001");
  private static final CausalTraceId RESEARCHER =
      CausalTraceId.fromString("a1b2c3d4e5f6/00000002/00000001");
  private static final CausalTraceId WRITER =
      CausalTraceId.fromString("a1b2c3d4e5f6/00000003/00000001");
  private static final CausalTraceId TOOL =
      CausalTraceId.fromString("a1b2c3d4e5f6/00000004/00000002");

  private static HypervisorEvent event(EventType type, String agent, CausalTraceId trace) {
    return HypervisorEvent.builder(type).agentDid(agent).causalTraceId(trace).build();
  }

  @Test
  void rendersTheSpawnTreeWithDepthsFromTheTree() {
    List<HypervisorEvent> events =
        List.of(
            event(EventType.SESSION_CREATED, "orchestrator", ROOT),
            event(EventType.SESSION_JOINED, "researcher", RESEARCHER),
            event(EventType.SESSION_JOINED, "writer", WRITER),
            event(EventType.SESSION_JOINED, "tool", TOOL),
            event(EventType.RING_ASSIGNED, "tool", TOOL),
            event(EventType.RING_ASSIGNED, "tool", TOOL),
            event(EventType.SESSION_CREATED, "stranger", CausalTraceId.root()),
            HypervisorEvent.builder(EventType.VFS_WRITE).causalTraceId("abc123/def456").build());

    CausalTree tree = CausalTree.of("a1b2c3d4e5f6", events);

    assertThat(tree.render())
        .isEqualTo(
            "orchestrator (span 00000001, depth 0): session.created\n"
                + "├─ researcher (span 00000002, depth 1): session.joined\n"
                + "│  └─ tool (span 00000004, depth 2): session.joined, ring.assigned ×2\n"
                + "└─ writer (span 00000003, depth 1): session.joined\n");
    assertThat(tree.roots()).hasSize(1);
    assertThat(tree.traceId()).isEqualTo("a1b2c3d4e5f6");
  }

  @Test
  void spanWhoseParentIsMissingBecomesARoot() {
    CausalTree tree =
        CausalTree.of("a1b2c3d4e5f6", List.of(event(EventType.VFS_WRITE, "tool", TOOL)));

    assertThat(tree.render()).isEqualTo("tool (span 00000004, depth 0): vfs.write\n");
  }
}
