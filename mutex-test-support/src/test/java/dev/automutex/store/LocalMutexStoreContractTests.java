package dev.automutex.store;

import dev.automutex.test.store.AbstractMutexStoreContractTests;

class LocalMutexStoreContractTests extends AbstractMutexStoreContractTests {

	@Override
	protected MutexStore createStore() {
		return new LocalMutexStore();
	}

}
