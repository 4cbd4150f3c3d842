package org.tempalias.smtp;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.ServerSSLOptions;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tempalias.contract.SettleRequest.Settlement;
import org.tempalias.contract.SmtpReply;
import org.tempalias.smtp.Command.Verb;
import org.tempalias.smtp.LineInput.Hold;

/**
 * One SMTP connection: an explicit state machine over command lines with one command in flight
 * (reading stops while an asynchronous check runs, so replies stay in order, RFC 2920 §3.1).
 * Connection state lives here; the transaction is a {@link Transaction} dropped on RSET and at
 * the end of data; RCPT expansion is {@link Recipients}, the DATA phase {@link MessageStream}.
 */
final class Session implements LineInput.Listener {
  private static final Logger LOG = LoggerFactory.getLogger(Session.class);

  enum State { CONNECTED, READY, MAIL, RCPT, DATA, CLOSED }

  /** Which verbs each state accepts; anything else is a sequence error (503 5.5.1). */
  private static final Map<Verb, Set<State>> ALLOWED = new EnumMap<>(Verb.class);

  static {
    Set<State> any = EnumSet.of(State.CONNECTED, State.READY, State.MAIL, State.RCPT);
    for (Verb v : new Verb[] {Verb.EHLO, Verb.HELO, Verb.RSET, Verb.NOOP, Verb.QUIT, Verb.VRFY, Verb.HELP, Verb.STARTTLS}) {
      ALLOWED.put(v, any);
    }
    ALLOWED.put(Verb.MAIL, EnumSet.of(State.READY));
    ALLOWED.put(Verb.RCPT, EnumSet.of(State.MAIL, State.RCPT));
    ALLOWED.put(Verb.DATA, EnumSet.of(State.MAIL, State.RCPT));
  }

  final Vertx vertx;
  final SmtpConfig config;
  final GatewayMetrics metrics;
  final String clientIp;
  private final NetSocket socket;
  private final StoreClient store;
  private final Recipients recipients;
  private final ServerSSLOptions sslOptions;
  private final Runnable onClosed;
  private final LineInput input;

  private State state = State.CONNECTED;
  private Transaction tx;
  private MessageStream message;
  String helo;
  boolean esmtp;
  boolean tls;
  private boolean busy;
  private boolean shutdownRequested;
  private int badCommands;
  private long lastActivity;
  private long idleTimer;

  Session(Vertx vertx, NetSocket socket, SmtpConfig config, StoreClient store, GatewayMetrics metrics,
      ServerSSLOptions sslOptions, Runnable onClosed) {
    this.vertx = vertx;
    this.socket = socket;
    this.config = config;
    this.store = store;
    this.metrics = metrics;
    this.sslOptions = sslOptions;
    this.onClosed = onClosed;
    this.clientIp = socket.remoteAddress().hostAddress();
    this.recipients = new Recipients(vertx, config, store, metrics, clientIp);
    this.input = new LineInput(socket, this);
  }

  void start() {
    socket.closeHandler(v -> closed());
    input.attach(config.maxLineBytes());
    activity();
    armIdleTimer(config.idleTimeoutSeconds() * 1000L);
    reply(Replies.greeting(config.hostname()));
  }

  // ---- input ----------------------------------------------------------------------------------

  @Override
  public void line(Buffer record) {
    if (state == State.DATA) {
      message.line(record);
    } else if (state != State.CLOSED) {
      commandLine(record);
    }
  }

  @Override
  public void lineDropped(long droppedBytes, boolean endedWithCrLf) {
    if (state == State.DATA) {
      message.lineDropped(droppedBytes, endedWithCrLf);
    } else {
      badCommand(Replies.LINE_TOO_LONG);
    }
  }

  @Override
  public void activity() {
    lastActivity = System.nanoTime();
  }

  @Override
  public void failed(Throwable err) {
    LOG.info("{} connection error: {}", clientIp, err.toString());
    socket.close();
  }

  /** The relay window is full (stop reading the client) or open again. */
  void windowFull(boolean full) {
    if (full) {
      input.hold(Hold.WINDOW);
    } else {
      input.release(Hold.WINDOW);
    }
  }

  // ---- commands -------------------------------------------------------------------------------

  private void commandLine(Buffer record) {
    int len = record.length();
    if (len + 1 > config.maxLineBytes()) {
      badCommand(Replies.LINE_TOO_LONG);
      return;
    }
    if (len == 0 || record.getByte(len - 1) != '\r') {
      badCommand(Replies.BARE_LF_COMMAND); // RFC 5321 §2.3.8: only CRLF ends a line.
      return;
    }
    byte[] bytes = record.getBytes(0, len - 1);
    String line;
    if (isAscii(bytes)) {
      // The common case: ASCII decodes to itself, no decoder needed.
      line = new String(bytes, StandardCharsets.ISO_8859_1);
    } else {
      try {
        line = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(bytes))
            .toString();
      } catch (CharacterCodingException e) {
        badCommand(Replies.SYNTAX);
        return;
      }
    }
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c < 32 && c != '\t' || c == 127) {
        badCommand(Replies.SYNTAX);
        return;
      }
    }
    dispatch(Command.parse(line));
  }

  private static boolean isAscii(byte[] bytes) {
    for (byte b : bytes) {
      if (b < 0) {
        return false;
      }
    }
    return true;
  }

  private void dispatch(Command cmd) {
    Set<State> allowed = ALLOWED.get(cmd.verb());
    if (allowed == null) {
      badCommand(cmd.verb() == Verb.NOT_IMPLEMENTED ? Replies.NOT_IMPLEMENTED : Replies.UNRECOGNIZED);
    } else if (!allowed.contains(state)) {
      badCommand(sequenceError(cmd.verb()));
    } else {
      switch (cmd.verb()) {
        case EHLO -> onHelo(cmd.argument(), true);
        case HELO -> onHelo(cmd.argument(), false);
        case MAIL -> onMail(cmd.argument());
        case RCPT -> onRcpt(cmd.argument());
        case DATA -> onData(cmd.argument());
        case RSET -> onRset();
        case NOOP -> reply(Replies.OK);
        case QUIT -> closeWith(Replies.bye(config.hostname()));
        case VRFY -> reply(cmd.argument().isEmpty() ? Replies.SYNTAX : Replies.VRFY);
        case HELP -> reply(Replies.HELP);
        case STARTTLS -> onStartTls(cmd.argument());
        default -> badCommand(Replies.UNRECOGNIZED);
      }
    }
  }

  private SmtpReply sequenceError(Verb verb) {
    if (state == State.CONNECTED && (verb == Verb.MAIL || verb == Verb.RCPT || verb == Verb.DATA)) {
      return Replies.SEND_HELO_FIRST;
    }
    if (verb == Verb.MAIL) {
      return Replies.NESTED_MAIL;
    }
    return state == State.READY ? Replies.NEED_MAIL : Replies.BAD_SEQUENCE;
  }

  private void onHelo(String argument, boolean extended) {
    int end = 0;
    while (end < argument.length() && argument.charAt(end) != ' ' && argument.charAt(end) != '\t') {
      end++;
    }
    String name = argument.substring(0, end);
    if (name.isEmpty()) {
      badCommand(Replies.HELO_SYNTAX);
      return;
    }
    // RFC 5321 §4.1.4: EHLO/HELO in a transaction resets it as RSET does.
    endTransaction(Settlement.RELEASED, "reset by " + (extended ? "EHLO" : "HELO"));
    helo = name;
    esmtp = extended;
    state = State.READY;
    if (!extended) {
      reply(Replies.helo(config.hostname(), name));
      return;
    }
    StringBuilder text = new StringBuilder(config.hostname()).append(" greets ").append(name)
        .append("\nPIPELINING\nSIZE ").append(config.maxMessageBytes())
        .append("\n8BITMIME\nENHANCEDSTATUSCODES\nSMTPUTF8");
    if (config.tlsEnabled() && !tls) {
      text.append("\nSTARTTLS");
    }
    reply(SmtpReply.of(250, null, text.toString()));
  }

  private void onMail(String argument) {
    PathParser.Parsed parsed;
    MailParameters params;
    try {
      parsed = PathParser.parse(argument, "FROM", true);
    } catch (PathParser.SyntaxException e) {
      badCommand(Replies.BAD_SENDER_SYNTAX);
      return;
    }
    try {
      params = MailParameters.of(parsed.parameters());
    } catch (IllegalArgumentException e) {
      badCommand(Replies.BAD_PARAMETER);
      return;
    }
    MailPath from = parsed.path();
    SmtpReply refusal = from.nonAscii() && !params.smtputf8() ? Replies.NEEDS_SMTPUTF8
        // RFC 1870 §6.1: a declared size over the fixed limit is a permanent refusal.
        : params.size() > config.maxMessageBytes() ? Replies.SIZE_EXCEEDED : null;
    if (refusal != null) {
      LOG.info("{} - from=<{}>: sender refused ({})", clientIp, from.raw(), refusal);
      reply(refusal);
      return;
    }
    tx = new Transaction(from, params, store);
    state = State.MAIL;
    metrics.transaction();
    LOG.info("{} {} from=<{}> size={} body={} smtputf8={} tls={}: sender accepted", clientIp, tx.id, from.raw(),
        params.size(), params.body(), params.smtputf8(), tls);
    reply(Replies.SENDER_OK);
  }

  private void onRcpt(String argument) {
    Transaction t = tx;
    PathParser.Parsed parsed;
    try {
      parsed = PathParser.parse(argument, "TO", false);
    } catch (PathParser.SyntaxException e) {
      metrics.recipient("syntax");
      badCommand(Replies.BAD_RECIPIENT_SYNTAX);
      return;
    }
    if (!parsed.parameters().isEmpty()) {
      metrics.recipient("syntax");
      badCommand(Replies.BAD_PARAMETER);
      return;
    }
    SmtpReply refusal = recipients.policy(t, parsed.path());
    if (refusal != null) {
      reply(refusal);
    } else if (t.claims.containsKey(parsed.path().localPart().toLowerCase(java.util.Locale.ROOT))) {
      reply(Replies.RECIPIENT_OK); // the same alias twice in one transaction is claimed once
    } else {
      inFlight(recipients.expand(t, parsed.path()).map(r -> {
        if (!t.claims.isEmpty() && state == State.MAIL) {
          state = State.RCPT;
        }
        return r;
      }));
    }
  }

  private void onData(String argument) {
    if (!argument.isEmpty()) {
      badCommand(Replies.NO_ARGUMENTS);
      return;
    }
    if (state != State.RCPT) {
      reply(Replies.NO_VALID_RECIPIENTS); // RFC 2920 §3.1: with pipelining 554, not 503
      return;
    }
    Transaction t = tx;
    inFlight(t.relay.data().map(r -> {
      if (t.ended()) {
        return Replies.RELAY_LOST;
      }
      if (r.code() != 354) {
        endTransaction(Settlement.RELEASED, "relay refused DATA: " + r);
        state = State.READY;
        return r;
      }
      message = new MessageStream(this, t);
      state = State.DATA;
      input.maxLineBytes(config.maxDataLineBytes());
      return Replies.START_DATA;
    }));
  }

  private void onRset() {
    endTransaction(Settlement.RELEASED, "reset by RSET");
    state = helo == null ? State.CONNECTED : State.READY;
    reply(Replies.RESET_OK);
  }

  private void onStartTls(String argument) {
    if (!config.tlsEnabled()) {
      badCommand(Replies.NOT_IMPLEMENTED);
    } else if (tls) {
      badCommand(Replies.ALREADY_TLS);
    } else if (!argument.isEmpty()) {
      badCommand(Replies.NO_ARGUMENTS);
    } else {
      endTransaction(Settlement.RELEASED, "reset by STARTTLS");
      busy = true;
      input.hold(Hold.COMMAND);
      // Switch once the parser has returned from this record (it pauses the socket on its way out).
      vertx.runOnContext(v -> upgrade());
    }
  }

  private void upgrade() {
    if (state == State.CLOSED) {
      return;
    }
    // RFC 3207 §4.2: forget everything learnt before TLS, and drop plaintext that came after
    // STARTTLS (buffered or still queued): it could be an injection.
    input.detachDiscarding(n -> LOG.info("{} dropped {} plaintext bytes sent after STARTTLS", clientIp, n));
    // Vert.x writes our 220 once its TLS handler is in place, so the ClientHello answering it is
    // never read as plaintext.
    socket.upgradeToSsl(sslOptions, Buffer.buffer(Replies.READY_TLS.toWire())).onComplete(ar -> {
      busy = false;
      if (ar.failed()) {
        LOG.info("{} TLS handshake failed: {}", clientIp, ar.cause().toString());
        socket.close();
        return;
      }
      tls = true;
      helo = null;
      esmtp = false;
      state = State.CONNECTED;
      LOG.info("{} TLS established ({})", clientIp, socket.sslSession() == null ? "?" : socket.sslSession().getProtocol());
      input.attach(config.maxLineBytes());
      if (shutdownRequested) {
        closeWith(Replies.SHUTTING_DOWN);
      }
    });
  }

  // ---- replies, transactions, lifecycle -------------------------------------------------------

  /** Runs an asynchronous step with reading held, then replies and reads the next command. */
  void inFlight(Future<SmtpReply> work) {
    busy = true;
    input.hold(Hold.COMMAND);
    work.onComplete(ar -> {
      busy = false;
      if (state == State.CLOSED) {
        return;
      }
      reply(ar.succeeded() ? ar.result() : Replies.RELAY_UNAVAILABLE);
      if (shutdownRequested && state != State.DATA) {
        endTransaction(Settlement.RELEASED, "shutdown");
        closeWith(Replies.SHUTTING_DOWN);
        return;
      }
      input.release(Hold.COMMAND);
    });
  }

  private void reply(SmtpReply reply) {
    if (state != State.CLOSED) {
      socket.write(reply.toWire());
    }
  }

  private void badCommand(SmtpReply reply) {
    reply(reply);
    if (++badCommands >= config.maxBadCommands()) {
      LOG.info("{} too many bad commands ({}), closing", clientIp, badCommands);
      closeWith(Replies.TOO_MANY_ERRORS);
    }
  }

  /** Called by {@link MessageStream} once the final reply of the data is known. */
  void messageDone() {
    message = null;
    tx = null;
    state = State.READY;
    input.maxLineBytes(config.maxLineBytes());
  }

  private void endTransaction(Settlement settlement, String why) {
    if (tx != null) {
      if (!tx.claims.isEmpty() || tx.relay != null) {
        LOG.info("{} {} from=<{}> aliases={}: transaction ended, {} ({})", clientIp, tx.id, tx.from.raw(),
            tx.aliases(), settlement, why);
      }
      tx.end(settlement);
      tx = null;
    }
  }

  private void closeWith(SmtpReply reply) {
    reply(reply);
    state = State.CLOSED;
    input.close();
    socket.close();
  }

  /** Graceful shutdown: idle sessions get 421 now; a command or DATA in flight finishes first. */
  void shutdown() {
    shutdownRequested = true;
    if (state != State.CLOSED && !busy && state != State.DATA) {
      endTransaction(Settlement.RELEASED, "shutdown");
      closeWith(Replies.SHUTTING_DOWN);
    }
  }

  private void closed() {
    vertx.cancelTimer(idleTimer);
    input.close();
    if (message != null && message.clientGone()) {
      tx = null; // the END already sent settles the claims when the smarthost answers
    } else {
      endTransaction(Settlement.RELEASED, "client disconnected");
    }
    message = null;
    state = State.CLOSED;
    onClosed.run();
  }

  private void armIdleTimer(long delayMillis) {
    idleTimer = vertx.setTimer(Math.max(1, delayMillis), id -> {
      if (state == State.CLOSED) {
        return;
      }
      long idleMillis = (System.nanoTime() - lastActivity) / 1_000_000;
      long limit = config.idleTimeoutSeconds() * 1000L;
      // Waiting on our own store/relay or a full window is not the client's idleness. (Vert.x
      // idle timeouts would close without a word; RFC 5321 §4.5.3.2.7 wants 421 first.)
      if (busy || input.held() || idleMillis < limit) {
        armIdleTimer(busy || input.held() ? limit : limit - idleMillis);
        return;
      }
      LOG.info("{} idle for {} s, closing", clientIp, idleMillis / 1000);
      endTransaction(Settlement.RELEASED, "idle timeout");
      closeWith(Replies.IDLE_TIMEOUT);
    });
  }
}
