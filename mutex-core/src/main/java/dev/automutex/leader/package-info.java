/**
 * Leader election on AutoMutex's stores: {@link dev.automutex.leader.LeaderLockRegistry}
 * gives Spring Integration's {@code LockRegistryLeaderInitiator} a lock that is renewed
 * for as long as its holder leads and that tells it when leadership was lost.
 */
@NullMarked
package dev.automutex.leader;

import org.jspecify.annotations.NullMarked;
