package dev.sluice.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

/**
 * Makes fuzz inputs from valid seeds: a seed with a few random edits (spans inserted, deleted,
 * replaced or duplicated; tokens of the input's own syntax; deep nesting; long scalars; anchors and
 * aliases; odd Unicode, NUL and bytes that are not UTF-8; a span of another seed), or now and then
 * pure random bytes. Everything comes from the {@link Random} given, so one seed and index make the
 * same input again.
 */
public final class Mutator {
  /** Above the largest policy or registry file read (4 MiB), so that limit is tried too. */
  static final int MAX_INPUT = 5 << 20;
  private static final String[] ODD = {
    "\u0000", "\u0085", "\u2028", "\u2029", "\ufeff", "\u200b", "\u202e", "\u00e9", "\ud835\udd18", "\u0007", "\u001b",
    "\u007f", "\u009f", "\ufffd", "\uffff", "\ud83d\ude00", "\t", "\r", "\r\n", "\u00a0", "\u3000"
  };
  /** Byte sequences that are not UTF-8: a lone continuation, overlong, a surrogate, truncated, 0xFF. */
  private static final byte[][] NOT_UTF8 = {
    {(byte) 0x80}, {(byte) 0xc0, (byte) 0x80}, {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, {(byte) 0xe2, (byte) 0x82},
    {(byte) 0xff}, {(byte) 0xfe, (byte) 0xff}, {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80}
  };
  private static final String[] YAML = {
    ": ", "- ", "\n", "\n  ", "  ", "{", "}", "[", "]", ", ", "&a ", "*a", "&b [*a, *a, *a]", "!!binary ", "!!str ", "!!map ",
    "!tag ", "---\n", "...\n", "? ", "|\n  ", ">-\n  ", "'", "\"", "''", "\"\\u0000\"", "\"\\x\"", "# c", "%YAML 1.1\n---\n",
    "%TAG ! tag:x,2000:\n", "<<: *a\n", "~", "null", "true", "no", "0x1F", "0o17", "1e999", "-0", ".inf", ".nan",
    "99999999999999999999", "-9223372036854775809", "2026-01-01", "1_000", "\t", "\\", "@", "`", "%", "key: value\n"
  };
  private static final String[] JSON = {
    "{", "}", "[", "]", ":", ",", "\"", "null", "true", "1e400", "-", "0", "-0", "1.5", "99999999999999999999",
    "\"\\u0000\"", "\"\\ud800\"", "\"\\", "{\"a\":", "[[", "\"Port\":", "\"Address\":", "\"Service\":", "\"Checks\":[",
    "\"Status\":\"warning\"", "\"Weights\":{\"Passing\":0}", "\"ID\":", "\"Meta\":{", "\"Tags\":[", "/*", "NaN", "'"
  };

  private final List<byte[]> seeds;
  private final List<String> tokens;

  /**
   * @param seeds valid inputs of the target
   * @param tokens pieces of the target's own syntax (in addition to YAML's and JSON's)
   */
  public Mutator(List<byte[]> seeds, List<String> tokens) {
    if (seeds.isEmpty()) {
      throw new IllegalArgumentException("no seeds");
    }
    this.seeds = List.copyOf(seeds);
    this.tokens = List.copyOf(tokens);
  }

  List<byte[]> seeds() {
    return seeds;
  }

  /** One input; about one in ten is random bytes, the others are edited seeds. */
  public byte[] next(Random r) {
    int kind = r.nextInt(20);
    if (kind == 0) {
      byte[] b = new byte[r.nextInt(1024)];
      r.nextBytes(b);
      return b;
    }
    if (kind == 1) {
      return tokenSoup(r);
    }
    byte[] in = seeds.get(r.nextInt(seeds.size()));
    int edits = 1 + r.nextInt(r.nextBoolean() ? 3 : 8);
    for (int i = 0; i < edits && in.length <= MAX_INPUT; i++) {
      in = edit(in, r);
    }
    return in.length > MAX_INPUT ? java.util.Arrays.copyOf(in, MAX_INPUT) : in;
  }

  private byte[] tokenSoup(Random r) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int n = r.nextInt(64);
    for (int i = 0; i < n; i++) {
      out.writeBytes(token(r));
    }
    return out.toByteArray();
  }

  private byte[] token(Random r) {
    return switch (r.nextInt(5)) {
      case 0 -> utf8(YAML[r.nextInt(YAML.length)]);
      case 1 -> utf8(JSON[r.nextInt(JSON.length)]);
      case 2 -> utf8(ODD[r.nextInt(ODD.length)]);
      case 3 -> NOT_UTF8[r.nextInt(NOT_UTF8.length)].clone();
      default -> tokens.isEmpty() ? utf8(YAML[r.nextInt(YAML.length)]) : utf8(tokens.get(r.nextInt(tokens.size())));
    };
  }

  private byte[] edit(byte[] in, Random r) {
    int at = r.nextInt(in.length + 1);
    return switch (r.nextInt(13)) {
      case 0 -> delete(in, at, span(r, in.length - at));
      case 1 -> {
        byte[] b = new byte[1 + r.nextInt(16)];
        r.nextBytes(b);
        yield insert(in, at, b);
      }
      case 2 -> {
        byte[] b = new byte[1 + r.nextInt(8)];
        r.nextBytes(b);
        yield replace(in, at, b);
      }
      case 3 -> duplicate(in, at, r);
      case 4, 5, 6 -> insert(in, at, token(r));
      case 7 -> replace(in, at, token(r));
      case 8 -> insert(in, at, nesting(r));
      case 9 -> insert(in, at, longScalar(r));
      case 10 -> insert(in, at, anchors(r));
      case 11 -> {
        byte[] other = seeds.get(r.nextInt(seeds.size()));
        int from = r.nextInt(other.length + 1);
        yield insert(in, at, java.util.Arrays.copyOfRange(other, from, from + span(r, other.length - from)));
      }
      default -> {
        byte[] b = in.clone();
        if (b.length > 0) {
          int i = Math.min(at, b.length - 1);
          b[i] = (byte) (r.nextBoolean() ? b[i] ^ (1 << r.nextInt(8)) : r.nextInt(256));
        }
        yield b;
      }
    };
  }

  /** Mostly short spans, sometimes long ones. */
  private static int span(Random r, int max) {
    if (max <= 0) {
      return 0;
    }
    int limit = r.nextInt(4) == 0 ? max : Math.min(max, 32);
    return 1 + r.nextInt(limit);
  }

  private static byte[] duplicate(byte[] in, int at, Random r) {
    if (in.length == 0) {
      return in;
    }
    int from = r.nextInt(in.length);
    byte[] piece = java.util.Arrays.copyOfRange(in, from, from + span(r, in.length - from));
    int times = r.nextInt(8) == 0 ? 1 + r.nextInt(1000) : 1 + r.nextInt(3);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < times && out.size() <= MAX_INPUT; i++) {
      out.writeBytes(piece);
    }
    return insert(in, at, out.toByteArray());
  }

  private static byte[] nesting(Random r) {
    int depth = r.nextInt(4) == 0 ? 1 + r.nextInt(5000) : 1 + r.nextInt(64);
    String open = switch (r.nextInt(5)) {
      case 0 -> "[";
      case 1 -> "{a: ";
      case 2 -> "{\"a\":";
      case 3 -> "(";
      default -> "- ";
    };
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < depth; i++) {
      if (open.equals("- ")) {
        b.append('\n').append(" ".repeat(Math.min(i, 200))).append(open);
      } else {
        b.append(open);
      }
    }
    if (r.nextBoolean()) {
      String close = switch (open) {
        case "[" -> "]";
        case "(" -> ")";
        case "- " -> "";
        default -> "}";
      };
      b.append("x").append(close.repeat(depth));
    }
    return utf8(b.toString());
  }

  /** A value around the scalar and line limits (256 Ki characters), rarely, since it is slow to read. */
  private static byte[] longScalar(Random r) {
    int length = r.nextInt(20) == 0 ? (256 << 10) - 2 + r.nextInt(64 << 10) : 1 + r.nextInt(4096);
    String fill = r.nextBoolean() ? "a" : (r.nextBoolean() ? "\u00e9" : "ab c");
    String body = fill.repeat(length / fill.length() + 1).substring(0, length);
    return utf8(switch (r.nextInt(4)) {
      case 0 -> "\"" + body + "\"";
      case 1 -> "'" + body + "'";
      case 2 -> "|\n  " + body;
      default -> body;
    });
  }

  private static byte[] anchors(Random r) {
    return utf8(switch (r.nextInt(4)) {
      case 0 -> "&a ";
      case 1 -> "*a";
      case 2 -> "a: &a [x, x]\nb: &b [*a, *a, *a, *a]\nc: &c [*b, *b, *b, *b]\nd: [*c, *c, *c, *c]\n";
      default -> "<<: *a\n";
    });
  }

  private static byte[] insert(byte[] in, int at, byte[] piece) {
    byte[] out = new byte[in.length + piece.length];
    System.arraycopy(in, 0, out, 0, at);
    System.arraycopy(piece, 0, out, at, piece.length);
    System.arraycopy(in, at, out, at + piece.length, in.length - at);
    return out;
  }

  private static byte[] delete(byte[] in, int at, int length) {
    byte[] out = new byte[in.length - length];
    System.arraycopy(in, 0, out, 0, at);
    System.arraycopy(in, at + length, out, at, in.length - at - length);
    return out;
  }

  private static byte[] replace(byte[] in, int at, byte[] piece) {
    return insert(delete(in, at, Math.min(piece.length, in.length - at)), at, piece);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
