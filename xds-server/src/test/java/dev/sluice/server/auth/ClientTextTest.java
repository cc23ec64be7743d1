package dev.sluice.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ClientTextTest {
  @Test
  void namesThatPoliciesAllowComeOutUnchangedAndUncopied() {
    for (String name :
        new String[] {
          "edge", "sidecar~orders", "edge-1.a_b", "internal-1", "", "ünïcode 😀 name"
        }) {
      assertThat(ClientText.name(name)).isSameAs(name);
    }
    String exactlyTheBound = "x".repeat(ClientText.NAME_MAX);
    assertThat(ClientText.name(exactlyTheBound)).isSameAs(exactlyTheBound);
    assertThat(ClientText.name(null)).isNull();
  }

  @Test
  void lineBreaksAndTabsAreWrittenOut() {
    assertThat(ClientText.name("a\nb\r\nc\td")).isEqualTo("a\\nb\\r\\nc\\td");
  }

  @Test
  void otherControlsFormatCharactersSeparatorsAndLoneSurrogatesBecomeUnicodeEscapes() {
    assertThat(ClientText.name("\u0000\u001b[2J\u007f\u0085"))
        .isEqualTo("\\u0000\\u001b[2J\\u007f\\u0085");
    // bidi override (text shown reversed), zero-width space, line and paragraph separators
    assertThat(ClientText.name("a\u202eb\u200bc\u2028d\u2029e"))
        .isEqualTo("a\\u202eb\\u200bc\\u2028d\\u2029e");
    assertThat(ClientText.name("\ud800x\udc00")).isEqualTo("\\ud800x\\udc00");
    // a format character outside the BMP: both halves of the pair
    assertThat(ClientText.name("tag\udb40\udc01")).isEqualTo("tag\\udb40\\udc01");
  }

  @Test
  void aBackslashStaysSoEnvoysQuotedRegexesReadAsTheyAre() {
    assertThat(ClientText.message("invalid regex '\\d+': x")).isEqualTo("invalid regex '\\d+': x");
  }

  @Test
  void whatGoesBeyondTheBoundIsDroppedAndCounted() {
    String megabyte = "x".repeat(1 << 20);
    assertThat(ClientText.name(megabyte))
        .isEqualTo("x".repeat(256) + "…(" + ((1 << 20) - 256) + " more chars)");
    assertThat(ClientText.message(megabyte))
        .isEqualTo("x".repeat(4096) + "…(" + ((1 << 20) - 4096) + " more chars)");
  }

  @Test
  void theBoundCountsEscapedCharactersAndNeverSplitsAnEscapeOrAPair() {
    // 128 newlines written out fill 256 characters; the other 72 are counted
    assertThat(ClientText.name("\n".repeat(200))).isEqualTo("\\n".repeat(128) + "…(72 more chars)");
    assertThat(ClientText.bounded("abcd\n", 5)).isEqualTo("abcd…(1 more chars)");
    assertThat(ClientText.bounded("ab😀", 3)).isEqualTo("ab…(2 more chars)");
    assertThat(ClientText.bounded("ab\u0000", 7)).isEqualTo("ab…(1 more chars)");
  }
}
