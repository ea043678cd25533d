package dev.automutex.store;

import dev.automutex.test.store.AbstractMutexStoreContractTests;

/**
 * The generic adapter over an arbitrary registry (here our local one, seen only as a
 * {@code LockRegistry}), so {@code isLocked} goes through the probe used for JDBC,
 * ZooKeeper and other registries.
 */
class LockRegistryMutexStoreContractTests extends AbstractMutexStoreContractTests {

	@Override
	protected MutexStore createStore() {
		return new LockRegistryMutexStore(new LocalLockRegistry());
	}

}
