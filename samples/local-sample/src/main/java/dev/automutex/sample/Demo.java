package dev.automutex.sample;

import java.util.List;
import java.util.concurrent.CompletableFuture;

import dev.automutex.MutexHolder;
import dev.automutex.MutexLockException;
import dev.automutex.store.MutexStore;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/**
 * Calls the sample services from several threads at once and prints what happened.
 */
@Component
class Demo implements ApplicationRunner {

	private final ItunesVerifier verifier;

	private final ReportJob reports;

	private final Rooms rooms;

	private final Accounts accounts;

	private final Videos videos;

	private final MutexStore store;

	Demo(ItunesVerifier verifier, ReportJob reports, Rooms rooms, Accounts accounts, Videos videos, MutexStore store) {
		this.verifier = verifier;
		this.reports = reports;
		this.rooms = rooms;
		this.accounts = accounts;
		this.videos = videos;
		this.store = store;
	}

	@Override
	public void run(ApplicationArguments args) {
		System.out.println("AutoMutex store: " + this.store);

		System.out.println("\n1. Two verifications of transaction 123456 and one of 777, at the same time:");
		List<CompletableFuture<String>> verifications = List.of(verify("123456"), verify("123456"), verify("777"));
		verifications.forEach((result) -> System.out.println("   " + result.join()));

		System.out.println("\n2. Two runs of the report job at the same time (block 0s, afterFailure):");
		List<CompletableFuture<String>> runs = List.of(CompletableFuture.supplyAsync(() -> this.reports.run("2026-10")),
				CompletableFuture.supplyAsync(() -> this.reports.run("2026-11")));
		runs.forEach((result) -> System.out.println("   " + result.join()));

		System.out.println("\n3. MutexTemplate with an object key:");
		System.out.println("   " + this.rooms.enter(new Rooms.Room(123), "ada"));

		System.out.println("\n4. Several keys at once:");
		System.out.println("   " + this.accounts.transfer(1, 2, 50));
		System.out.println("   " + this.accounts.audit(new Accounts.Account(1), new Accounts.Account(2)));

		System.out.println("\n5. Handing work to another thread:");
		CompletableFuture<String> encoding = this.videos.startEncoding("42");
		System.out.println("   request returned; video 42 is encoded by "
				+ this.videos.encoder("42").map(MutexHolder::thread).orElse("nobody"));
		try {
			this.videos.startEncoding("42");
		}
		catch (MutexLockException ex) {
			System.out.println("   second request refused at once: " + ex.getMessage());
		}
		System.out.println("   waited for the release: "
				+ this.videos.awaitEncoded("42", java.time.Duration.ofSeconds(5)) + "; " + encoding.join());
	}

	private CompletableFuture<String> verify(String transactionId) {
		return CompletableFuture.supplyAsync(() -> {
			try {
				return this.verifier.perform(transactionId);
			}
			catch (MutexLockException ex) {
				return "refused: " + ex.getMessage();
			}
		});
	}

}
