/**
 * Leader election on AutoMutex's stores:
 * {@link dev.automutex.leader.MutexLeaderInitiator} is Spring Integration's
 * {@code LockRegistryLeaderInitiator} on an AutoMutex lock that is renewed for as long as
 * its holder leads, tells it when leadership was lost, and is released before the
 * application closes its connections.
 */
@NullMarked
package dev.automutex.leader;

import org.jspecify.annotations.NullMarked;
