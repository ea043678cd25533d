package dev.automutex.store;

import dev.automutex.test.store.AbstractForceReleasableMutexStoreContractTests;

class LocalMutexStoreForceReleaseContractTests extends AbstractForceReleasableMutexStoreContractTests {

	@Override
	protected ForceReleasableMutexStore createStore() {
		return new LocalMutexStore();
	}

}
