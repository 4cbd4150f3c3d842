package org.tempalias.smtp;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tempalias.contract.SmtpReply;
import org.tempalias.smtp.protocol.Command;
import org.tempalias.smtp.protocol.Command.Verb;
import org.tempalias.smtp.protocol.LineInput;
import org.tempalias.smtp.protocol.LineInput.Hold;
import org.tempalias.smtp.protocol.EnvelopeArgument;
import org.tempalias.smtp.protocol.Replies;

/**
 * One SMTP connection: a state machine over command lines with one command in flight (reading
 * stops while an asynchronous step runs, so replies stay in order, RFC 2920 §3.1). Connection
 * state lives here and is changed only here; the mail transaction is a {@link Transaction},
 * dropped on RSET and at the end of data; the DATA phase is a {@link MessageStream}.
 *
 * <pre>
 *   CONNECTED --EHLO/HELO--&gt; READY --MAIL--&gt; MAIL --RCPT ok--&gt; RCPT --DATA 354--&gt; DATA
 *       ^                      ^  \___________ RSET, EHLO, end of data _____________/
 *       \__ STARTTLS (TLS) ____/   any step that waits on the store or relay: WAITING
 * </pre>
 */
final class Session implements LineInput.Listener, InputControl {
  private static final Logger LOG = LoggerFactory.getLogger(Session.class);

  enum State { CONNECTED, READY, MAIL, RCPT, DATA, WAITING, TLS, CLOSED }

  private static final Set<State> BETWEEN_COMMANDS = EnumSet.of(State.CONNECTED, State.READY, State.MAIL, State.RCPT);
  /** Which verbs each state accepts; any other verb in a state of {@link #BETWEEN_COMMANDS} is a sequence error. */
  private static final Map<Verb, Set<State>> ALLOWED = new EnumMap<>(Verb.class);
  /** The sequence error for a verb in a state that does not accept it, where it is not the generic one. */
  private static final Map<State, Map<Verb, SmtpReply>> SEQUENCE_ERRORS = new EnumMap<>(State.class);

  static {
    for (Verb v : EnumSet.of(Verb.EHLO, Verb.HELO, Verb.RSET, Verb.NOOP, Verb.QUIT, Verb.VRFY, Verb.HELP, Verb.STARTTLS)) {
      ALLOWED.put(v, BETWEEN_COMMANDS);
    }
    ALLOWED.put(Verb.MAIL, EnumSet.of(State.READY));
    ALLOWED.put(Verb.RCPT, EnumSet.of(State.MAIL, State.RCPT));
    ALLOWED.put(Verb.DATA, EnumSet.of(State.MAIL, State.RCPT));
    SEQUENCE_ERRORS.put(State.CONNECTED, Map.of(Verb.MAIL, Replies.SEND_HELO_FIRST, Verb.RCPT, Replies.SEND_HELO_FIRST,
        Verb.DATA, Replies.SEND_HELO_FIRST));
    SEQUENCE_ERRORS.put(State.READY, Map.of(Verb.RCPT, Replies.NEED_MAIL, Verb.DATA, Replies.NEED_MAIL));
    SEQUENCE_ERRORS.put(State.MAIL, Map.of(Verb.MAIL, Replies.NESTED_MAIL));
    SEQUENCE_ERRORS.put(State.RCPT, Map.of(Verb.MAIL, Replies.NESTED_MAIL));
  }

  private final Gateway gateway;
  private final SmtpConfig config;
  private final NetSocket socket;
  private final StartTls startTls;
  private final Runnable onClosed;
  private final LineInput input;
  private final String clientIp;

  private State state = State.CONNECTED;
  private Transaction tx;
  private MessageStream message;
  private String helo;
  private boolean esmtp;
  private boolean tls;
  /** Set by a graceful shutdown: said and then the connection closed, once the step under way is done. */
  private SmtpReply closeWhenIdle;
  private int badCommands;
  private int junkCommands;
  private long lastActivity;
  private long idleTimer;

  Session(Gateway gateway, NetSocket socket, StartTls startTls, Runnable onClosed) {
    this.gateway = gateway;
    this.config = gateway.config();
    this.socket = socket;
    this.startTls = startTls;
    this.onClosed = onClosed;
    this.clientIp = socket.remoteAddress().hostAddress();
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
      if (message.line(record)) {
        endOfData();
      }
    } else if (state != State.CLOSED) {
      dispatch(Command.decode(record, config.maxLineBytes()));
    }
  }

  @Override
  public int data(Buffer buffer, int from, int to) {
    if (state != State.DATA || message == null) {
      return from;
    }
    int taken = message.lines(buffer, from, to);
    if (message.ended()) {
      endOfData();
    }
    return taken;
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

  /** The relay window is full: stop reading the client. */
  @Override
  public void hold() {
    input.hold(Hold.WINDOW);
  }

  @Override
  public void release() {
    input.release(Hold.WINDOW);
  }

  // ---- commands -------------------------------------------------------------------------------

  private void dispatch(Command cmd) {
    if (cmd.verb() == Verb.INVALID) {
      badCommand(cmd.error());
      return;
    }
    Set<State> allowed = ALLOWED.get(cmd.verb());
    if (allowed == null) {
      badCommand(cmd.verb() == Verb.NOT_IMPLEMENTED ? Replies.NOT_IMPLEMENTED : Replies.UNRECOGNIZED);
      return;
    }
    if (!allowed.contains(state)) {
      badCommand(SEQUENCE_ERRORS.getOrDefault(state, Map.of()).getOrDefault(cmd.verb(), Replies.BAD_SEQUENCE));
      return;
    }
    switch (cmd.verb()) {
      case EHLO, HELO -> onHelo(cmd.firstWord(), cmd.verb() == Verb.EHLO);
      case MAIL -> onMail(cmd.argument());
      case RCPT -> onRcpt(cmd.argument());
      case DATA -> onData(cmd.argument());
      case RSET -> junk(this::onRset);
      case NOOP -> junk(() -> reply(Replies.OK));
      case QUIT -> closeWith(Replies.bye(config.hostname()));
      case VRFY -> junk(() -> reply(cmd.argument().isEmpty() ? Replies.SYNTAX : Replies.VRFY));
      case HELP -> junk(() -> reply(Replies.HELP));
      case STARTTLS -> onStartTls(cmd.argument());
      default -> badCommand(Replies.UNRECOGNIZED);
    }
  }

  /** NOOP, RSET, VRFY, HELP: harmless one by one, but a client that only sends them is stalling. */
  private void junk(Runnable command) {
    if (++junkCommands > config.maxJunkCommands()) {
      LOG.info("{} too many junk commands ({}), closing", clientIp, junkCommands);
      abandonTransaction("too many junk commands");
      closeWith(Replies.TOO_MANY_JUNK);
    } else {
      command.run();
    }
  }

  private void onHelo(String name, boolean extended) {
    if (name.isEmpty()) {
      badCommand(Replies.HELO_SYNTAX);
      return;
    }
    // RFC 5321 §4.1.4: EHLO/HELO in a transaction resets it as RSET does.
    abandonTransaction("reset by " + (extended ? "EHLO" : "HELO"));
    helo = name;
    esmtp = extended;
    state = State.READY;
    reply(extended
        ? Replies.ehlo(config.hostname(), name, config.maxMessageBytes(), startTls != null && !tls)
        : Replies.helo(config.hostname(), name));
  }

  private void onMail(String argument) {
    EnvelopeArgument mail = EnvelopeArgument.sender(argument, config.maxMessageBytes());
    if (mail.syntaxError() != null) {
      badCommand(mail.syntaxError());
    } else if (mail.refusal() != null) {
      LOG.info("{} - from=<{}>: sender refused ({})", clientIp, mail.path().raw(), mail.refusal());
      reply(mail.refusal());
    } else {
      tx = new Transaction(gateway, clientIp, mail.path(), mail.params(), this::transactionExpired);
      state = State.MAIL;
      gateway.metrics().transaction();
      LOG.debug("{} {} from=<{}> size={} body={} smtputf8={} tls={}: sender accepted", clientIp, tx.id(),
          mail.path().raw(), mail.params().size(), mail.params().body(), mail.params().smtputf8(), tls);
      reply(Replies.SENDER_OK);
    }
  }

  private void onRcpt(String argument) {
    EnvelopeArgument rcpt = EnvelopeArgument.recipient(argument);
    if (rcpt.syntaxError() != null) {
      gateway.metrics().recipient("syntax");
      badCommand(rcpt.syntaxError());
    } else {
      inFlight(tx.addRecipient(rcpt.path()));
    }
  }

  private void onData(String argument) {
    if (!argument.isEmpty()) {
      badCommand(Replies.NO_ARGUMENTS);
    } else if (state != State.RCPT) {
      reply(Replies.NO_VALID_RECIPIENTS); // RFC 2920 §3.1: with pipelining 554, not 503
    } else {
      Transaction t = tx;
      SessionFacts facts = new SessionFacts(helo, clientIp, esmtp, tls);
      inFlight(t.openData().map(opening -> {
        if (opening.channel() == null) {
          tx = null;
        } else {
          message = new MessageStream(config, facts, this, t, opening.channel());
          input.dataMode(config.maxDataLineBytes());
        }
        return opening.reply();
      }));
    }
  }

  private void endOfData() {
    Future<SmtpReply> reply = message.finish();
    message = null;
    tx = null;
    input.commandMode(config.maxLineBytes());
    inFlight(reply);
  }

  /** The transaction outlived maxTransactionSeconds: it and the connection end here. */
  private void transactionExpired() {
    if (state != State.CLOSED) {
      abandonTransaction("transaction time limit");
      closeWith(Replies.TRANSACTION_TOO_LONG);
    }
  }

  private void onRset() {
    abandonTransaction("reset by RSET");
    state = helo == null ? State.CONNECTED : State.READY;
    reply(Replies.RESET_OK);
  }

  private void onStartTls(String argument) {
    if (startTls == null) {
      badCommand(Replies.NOT_IMPLEMENTED);
    } else if (tls) {
      badCommand(Replies.ALREADY_TLS);
    } else if (!argument.isEmpty()) {
      badCommand(Replies.NO_ARGUMENTS);
    } else {
      abandonTransaction("reset by STARTTLS");
      state = State.TLS;
      input.hold(Hold.COMMAND);
      // Switch once the parser has returned from this record (it pauses the socket on its way out).
      gateway.vertx().runOnContext(v -> upgrade());
    }
  }

  private void upgrade() {
    if (state == State.CLOSED) {
      return;
    }
    // RFC 3207 §4.2: forget everything learnt before TLS, and drop plaintext that came after
    // STARTTLS (buffered or still queued): it could be an injection.
    input.detachDiscarding(n -> LOG.info("{} dropped {} plaintext bytes sent after STARTTLS", clientIp, n));
    // Input is kept from the moment TLS is in place, but no command runs before the handshake is done.
    startTls.upgrade(socket, Replies.READY_TLS, () -> {
      input.attach(config.maxLineBytes());
      input.hold(Hold.COMMAND);
    }).onComplete(ar -> {
      if (state == State.CLOSED) {
        return;
      }
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
      if (!closeIfDraining()) {
        input.release(Hold.COMMAND);
      }
    });
  }

  // ---- replies, waiting, lifecycle ------------------------------------------------------------

  /** Runs an asynchronous step with reading held, then replies and reads the next command. */
  private void inFlight(Future<SmtpReply> work) {
    state = State.WAITING;
    input.hold(Hold.COMMAND);
    work.onComplete(ar -> {
      if (state == State.CLOSED) {
        return;
      }
      if (ar.failed()) {
        LOG.warn("{} {} step failed: {}", clientIp, tx == null ? "-" : tx.id(), ar.cause().toString());
      }
      state = message != null ? State.DATA : tx == null ? (helo == null ? State.CONNECTED : State.READY)
          : tx.hasRecipients() ? State.RCPT : State.MAIL;
      reply(ar.succeeded() ? ar.result() : Replies.RELAY_UNAVAILABLE);
      if (!closeIfDraining()) {
        input.release(Hold.COMMAND);
      }
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

  private void abandonTransaction(String why) {
    if (tx != null) {
      tx.abandon(why);
      tx = null;
    }
    message = null;
  }

  private void closeWith(SmtpReply reply) {
    reply(reply);
    state = State.CLOSED;
    input.close();
    socket.close();
  }

  /** Graceful shutdown: idle sessions get 421 now; a command, handshake or DATA under way finishes first. */
  void shutdown() {
    closeWhenIdle = Replies.SHUTTING_DOWN;
    closeIfDraining();
  }

  private boolean closeIfDraining() {
    if (closeWhenIdle == null || !BETWEEN_COMMANDS.contains(state)) {
      return false;
    }
    abandonTransaction("shutdown");
    closeWith(closeWhenIdle);
    return true;
  }

  private void closed() {
    gateway.vertx().cancelTimer(idleTimer);
    input.close();
    abandonTransaction("client disconnected");
    state = State.CLOSED;
    onClosed.run();
  }

  private void armIdleTimer(long delayMillis) {
    idleTimer = gateway.vertx().setTimer(Math.max(1, delayMillis), id -> {
      if (state == State.CLOSED) {
        return;
      }
      long idleMillis = (System.nanoTime() - lastActivity) / 1_000_000;
      long limit = config.idleTimeoutSeconds() * 1000L;
      // Waiting on our own store/relay or a full window is not the client's idleness. (Vert.x
      // idle timeouts would close without a word; RFC 5321 §4.5.3.2.7 wants 421 first.)
      boolean ours = state == State.WAITING || state == State.TLS || input.held();
      if (ours || idleMillis < limit) {
        armIdleTimer(ours ? limit : limit - idleMillis);
        return;
      }
      LOG.info("{} idle for {} s, closing", clientIp, idleMillis / 1000);
      abandonTransaction("idle timeout");
      closeWith(Replies.IDLE_TIMEOUT);
    });
  }
}
