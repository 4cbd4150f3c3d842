package org.tempalias.smtp.srs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tempalias.smtp.srs.Srs.Address;

/** The codec alone, and against the real postsrsd (skipped without it, required under CI). */
class SrsTest {
  static final String DOMAIN = "bounces.tempalias.test";
  static final long DAY = 86_400;
  final AtomicLong clock = new AtomicLong(1_796_000_000L);

  Srs srs(String... secrets) {
    return new Srs(List.of(secrets).stream().map(s -> s.getBytes(StandardCharsets.ISO_8859_1)).toList(), DOMAIN,
        21, clock::get);
  }

  static Address parse(String address) {
    int at = address.lastIndexOf('@');
    return new Address(address.substring(0, at), address.substring(at + 1));
  }

  @Test
  void writesSrs0AndReversesIt() {
    Srs srs = srs("s3cret");
    Address fwd = srs.forward(new Address("Jane.Doe+shop", "Example.org"));
    assertThat(fwd.domain()).isEqualTo(DOMAIN);
    assertThat(fwd.local()).matches("SRS0=[A-Za-z0-9+/]{4}=[A-Z2-7]{2}=Example\\.org=Jane\\.Doe\\+shop");
    assertThat(srs.reverse(fwd.local())).isEqualTo(new Srs.Original(new Address("Jane.Doe+shop", "Example.org")));
    // Case does not matter on the way back: some MTAs lower-case local parts.
    assertThat(srs.reverse(fwd.local().toLowerCase())).isInstanceOf(Srs.Original.class);
    assertThat(srs.reverse("jane")).isEqualTo(new Srs.NotSrs());
  }

  @Test
  void anotherForwardersSrs0BecomesSrs1AndSrs1StaysSrs1() {
    Srs first = new Srs(List.of("other".getBytes(StandardCharsets.ISO_8859_1)), "fwd.example", 21, clock::get);
    Address srs0 = first.forward(new Address("bob", "sender.example"));
    Srs srs = srs("s3cret");
    Address srs1 = srs.forward(new Address(srs0.local(), "fwd.example"));
    assertThat(srs1.local()).startsWith("SRS1=").contains("=fwd.example==");
    // A bounce to our SRS1 goes back to the first forwarder's SRS0, which it can reverse.
    Srs.Original back = (Srs.Original) srs.reverse(srs1.local());
    assertThat(back.address()).isEqualTo(srs0);
    assertThat(first.reverse(back.address().local())).isEqualTo(new Srs.Original(new Address("bob", "sender.example")));
    // Forwarded once more, an SRS1 keeps the first forwarder, re-signed by us.
    Srs third = new Srs(List.of("third".getBytes(StandardCharsets.ISO_8859_1)), "third.example", 21, clock::get);
    Address again = third.forward(new Address(srs1.local(), DOMAIN));
    assertThat(again.local()).contains("=fwd.example==");
    assertThat(((Srs.Original) third.reverse(again.local())).address()).isEqualTo(srs0);
  }

  @Test
  void forgedTruncatedAndExpiredAddressesAreRefused() {
    Srs srs = srs("s3cret");
    String good = srs.forward(new Address("jane", "example.org")).local();
    for (int i = 5; i < good.length(); i++) {
      char c = good.charAt(i);
      if (c == '=') {
        continue;
      }
      String forged = good.substring(0, i) + (char) (Character.toLowerCase(c) == 'x' ? 'y' : 'x') + good.substring(i + 1);
      assertThat(srs.reverse(forged)).as(forged).isNotInstanceOf(Srs.Original.class);
    }
    assertThat(srs.reverse(good.substring(0, good.lastIndexOf('=')))).isInstanceOf(Srs.Invalid.class);
    assertThat(srs.reverse("SRS0=AB=CD=example.org=jane")).isNotInstanceOf(Srs.Original.class);
    assertThat(srs.reverse("SRS0==AA=example.org=jane")).isInstanceOf(Srs.Invalid.class);
    assertThat(srs("another").reverse(good)).isInstanceOf(Srs.Invalid.class);

    clock.addAndGet(21 * DAY);
    assertThat(srs.reverse(good)).isInstanceOf(Srs.Original.class);
    clock.addAndGet(DAY);
    assertThat(srs.reverse(good)).isEqualTo(new Srs.Expired());
    // The stamp counts days modulo 1024; it never looks newer than it is across the wrap.
    clock.addAndGet(1_000 * DAY);
    assertThat(srs.reverse(good)).isEqualTo(new Srs.Expired());
  }

  @Test
  void theFirstSecretSignsAndEverySecretVerifies() {
    Address old = srs("old-secret").forward(new Address("jane", "example.org"));
    Srs rotated = srs("new-secret", "old-secret");
    assertThat(rotated.reverse(old.local())).isInstanceOf(Srs.Original.class);
    Address fresh = rotated.forward(new Address("jane", "example.org"));
    assertThat(srs("new-secret").reverse(fresh.local())).isInstanceOf(Srs.Original.class);
    assertThat(srs("old-secret").reverse(fresh.local())).isInstanceOf(Srs.Invalid.class);
  }

  @Test
  void postsrsdReversesWhatWeWriteAndWeReverseWhatItWrites(@TempDir Path dir) {
    clock.set(System.currentTimeMillis() / 1000);
    List<String> senders = List.of("jane@example.org", "Jane.Doe+tag@Sub.Example.ORG", "a=b@weird.example",
        "x-y_z@xn--bcher-kva.example", "o'neil@example.com");
    try (Postsrsd postsrsd = Postsrsd.start(dir, DOMAIN, List.of("current secret", "retired secret"))) {
      Srs ours = srs("current secret", "retired secret");
      for (String sender : senders) {
        Address written = ours.forward(parse(sender));
        assertThat(postsrsd.reverse(written.toString())).as(written.toString()).isEqualTo("200 " + sender);
        String theirs = postsrsd.forward(sender);
        assertThat(theirs).startsWith("200 SRS0=");
        Address theirsParsed = parse(theirs.substring(4));
        assertThat(theirsParsed.domain()).isEqualTo(DOMAIN);
        assertThat(ours.reverse(theirsParsed.local())).isEqualTo(new Srs.Original(parse(sender)));
        // Byte for byte what postsrsd writes, today.
        assertThat(written.toString()).isEqualTo(theirs.substring(4));
      }
      // SRS1, both ways.
      String srs0 = "SRS0=abcd=ZZ=sender.example=bob@fwd.example";
      String theirs1 = postsrsd.forward(srs0).substring(4);
      assertThat(theirs1).startsWith("SRS1=").isEqualTo(ours.forward(parse(srs0)).toString());
      assertThat(postsrsd.reverse(theirs1)).isEqualTo("200 " + srs0);
      // Rotation: an address signed with the second-line (retired) secret still reverses.
      Address retired = srs("retired secret").forward(parse("jane@example.org"));
      assertThat(postsrsd.reverse(retired.toString())).isEqualTo("200 jane@example.org");
      assertThat(ours.reverse(retired.local())).isInstanceOf(Srs.Original.class);
      // Forged: neither accepts it.
      String forged = retired.local().substring(0, 5) + "AAAA" + retired.local().substring(9) + "@" + DOMAIN;
      assertThat(postsrsd.reverse(forged)).startsWith("500");
      assertThat(ours.reverse(parse(forged).local())).isInstanceOf(Srs.Invalid.class);
    }
  }
}
