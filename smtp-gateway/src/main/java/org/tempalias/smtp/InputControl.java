package org.tempalias.smtp;

/**
 * The session's input as the DATA phase may steer it: stop reading the client while the relay
 * window is full, read again once it has room. Nothing else of the session is reachable.
 */
interface InputControl {
  void hold();

  void release();
}
