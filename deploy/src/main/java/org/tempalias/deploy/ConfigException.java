package org.tempalias.deploy;

/** A configuration the service cannot run with; its message is shown to the operator as is. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
