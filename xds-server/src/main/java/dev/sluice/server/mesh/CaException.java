package dev.sluice.server.mesh;

/**
 * The CA directory could not be used: a file is unreadable, malformed, does not match its pair, or
 * names another trust domain. The message names the file; it never carries key material (causes
 * from parsing a key are deliberately not attached, since their messages may quote the input).
 */
public class CaException extends RuntimeException {
  public CaException(String message) {
    super(message);
  }

  public CaException(String message, Throwable cause) {
    super(message, cause);
  }
}
