/**
 * Contract tests for {@link dev.automutex.store.MutexStore} implementations. A store's
 * test extends {@link dev.automutex.test.store.AbstractMutexStoreContractTests}, or
 * {@link dev.automutex.test.store.AbstractExpiringMutexStoreContractTests} or
 * {@link dev.automutex.test.store.AbstractRenewableMutexStoreContractTests} for a store
 * with leases; a store that issues fencing tokens also gets a test extending
 * {@link dev.automutex.test.store.AbstractFencingMutexStoreContractTests}.
 */
@NullMarked
package dev.automutex.test.store;

import org.jspecify.annotations.NullMarked;
