package dev.sluice.server.xds;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The write budget's slots go first to streams that read what they are sent: many streams that
 * never answered a response cannot take the slots a working Envoy needs. The sweep never runs here
 * (an hour's grace), so only the order of events decides.
 */
class WriteBudgetTest {
  private static final Duration NEVER = Duration.ofHours(1);
  private final List<String> pumped = new CopyOnWriteArrayList<>();

  private final class Stream implements WriteBudget.Writer {
    private final String name;

    Stream(String name) {
      this.name = name;
    }

    @Override
    public void pump() {
      pumped.add(name);
    }

    @Override
    public void dropSlow(String reason) {
      pumped.add(name + " dropped");
    }
  }

  private WriteBudget budget() {
    return new WriteBudget(
        WriteBudget.RESERVED + 2, Runnable::run, (s, reason) -> s.dropSlow(reason), NEVER, NEVER);
  }

  /** Each stream writes if the budget lets it, and its transport then stays full. */
  private static List<Stream> writeAndHold(WriteBudget b, List<Stream> streams) {
    List<Stream> holding = new ArrayList<>();
    for (Stream s : streams) {
      if (b.mayWrite(s)) {
        b.hold(s);
        holding.add(s);
      }
    }
    return holding;
  }

  @Test
  void streamsThatNeverAnsweredCannotTakeTheSlotsReservedForThoseThatDo() {
    try (WriteBudget b = budget()) {
      List<Stream> silent = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        silent.add(new Stream("silent-" + i));
      }
      assertThat(writeAndHold(b, silent)).as("silent streams holding slots").hasSize(2);

      Stream envoy = new Stream("envoy");
      b.answered(envoy);

      assertThat(b.mayWrite(envoy)).as("a stream that answers still finds a slot").isTrue();
    }
  }

  @Test
  void aFreedSlotGoesToAWaitingStreamThatAnswersBeforeOnesThatNeverDid() {
    try (WriteBudget b = budget()) {
      writeAndHold(b, List.of(new Stream("silent-0"), new Stream("silent-1")));
      List<Stream> readers = new ArrayList<>();
      for (int i = 0; i < WriteBudget.RESERVED; i++) {
        Stream r = new Stream("reader-" + i);
        b.answered(r);
        readers.add(r);
      }
      assertThat(writeAndHold(b, readers))
          .as("readers fill the reserved slots")
          .hasSize(WriteBudget.RESERVED);
      Stream silent = new Stream("silent-late");
      Stream envoy = new Stream("envoy");
      assertThat(b.mayWrite(silent)).isFalse();
      b.answered(envoy);
      assertThat(b.mayWrite(envoy)).isFalse();

      b.release(readers.get(0));

      assertThat(pumped).containsExactly("envoy");
    }
  }

  @Test
  void aStreamThatAnswersWhileWaitingMovesToTheReadersLine() {
    try (WriteBudget b = budget()) {
      List<Stream> all = new ArrayList<>();
      for (int i = 0; i < WriteBudget.RESERVED + 2; i++) {
        Stream r = new Stream("reader-" + i);
        b.answered(r);
        all.add(r);
      }
      writeAndHold(b, all);
      Stream first = new Stream("silent-first");
      Stream later = new Stream("answers-later");
      assertThat(b.mayWrite(first)).isFalse();
      assertThat(b.mayWrite(later)).isFalse();
      b.answered(later);

      b.release(all.get(0));

      assertThat(pumped).containsExactly("answers-later");
    }
  }
}
