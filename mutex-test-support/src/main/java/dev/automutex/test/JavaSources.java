package dev.automutex.test;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Compiles a class at test time the way a user's build might: with the test classpath and
 * without {@code -parameters}, so that its parameter names are not available by
 * reflection.
 *
 * @since 0.1.0
 */
public final class JavaSources {

	private JavaSources() {
	}

	/**
	 * Compile one top-level class in the default package and load it.
	 * @param dir a scratch directory for the source and class files
	 * @param className the simple name of the class
	 * @param source its source text
	 * @return the loaded class, in a loader whose parent is this class's loader
	 */
	public static Class<?> compileWithoutParameters(Path dir, String className, String source) {
		try {
			Path sourceFile = dir.resolve(className + ".java");
			Files.writeString(sourceFile, source);
			JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
			int result = compiler.run(null, null, null, "-classpath", System.getProperty("java.class.path"), "-d",
					dir.toString(), sourceFile.toString());
			if (result != 0) {
				throw new IllegalStateException(
						"Compiling " + className + " without -parameters failed (" + result + ")");
			}
			URLClassLoader loader = new URLClassLoader(new URL[] { dir.toUri().toURL() },
					JavaSources.class.getClassLoader());
			return loader.loadClass(className);
		}
		catch (IOException | ClassNotFoundException ex) {
			throw new IllegalStateException("Could not compile " + className, ex);
		}
	}

}
