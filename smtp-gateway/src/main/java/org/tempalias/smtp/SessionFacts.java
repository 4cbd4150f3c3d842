package org.tempalias.smtp;

/**
 * What the DATA phase needs to know of its session (for the Received header), taken when DATA
 * starts: the session does not change while its message streams.
 *
 * @param helo     the name the client gave in EHLO/HELO
 * @param clientIp the client's address
 * @param esmtp    whether the client used EHLO
 * @param tls      whether the session runs over TLS
 */
record SessionFacts(String helo, String clientIp, boolean esmtp, boolean tls) {}
