package org.tempalias.deploy;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per cluster membership change. Hazelcast's own member table spans many lines; an
 * operator reading the log wants "who joined, who left, how many are we now".
 */
final class MembershipLog implements MembershipListener {
  private static final Logger LOG = LoggerFactory.getLogger("cluster");

  @Override
  public void memberAdded(MembershipEvent event) {
    LOG.info("member joined: {} ({} members)", event.getMember().getAddress(), event.getMembers().size());
  }

  @Override
  public void memberRemoved(MembershipEvent event) {
    LOG.warn("member left or failed: {} ({} members)", event.getMember().getAddress(), event.getMembers().size());
  }
}
