/*
 * EPUBCheck for many EPUBs in one JVM: the tests start it once per session (conftest.EpubCheckServer).
 *
 * Run with the JDK's source launcher and EPUBCheck's jar on the class path:
 *     java -cp epubcheck.jar EpubCheckServer.java
 * Each request is one line on stdin, "<EPUB path>\t<report path>"; the answer is one line on stdout,
 * "done <exit code>" once EPUBCheck has written its JSON report, or "failed <reason>". Each check runs
 * exactly what `java -jar epubcheck.jar --json <report> <EPUB>` runs (com.adobe.epubcheck.tool.Checker
 * is nothing but `System.exit(new EpubChecker().run(args))`), so the report is the command line's.
 * The server ends when stdin is closed.
 */
import com.adobe.epubcheck.tool.EpubChecker;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

public class EpubCheckServer {
    public static void main(String[] args) throws Exception {
        // EPUBCheck prints its progress on System.out: keep the real stdout for the answers only.
        PrintStream answers = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        System.setOut(System.err);
        BufferedReader requests = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        answers.println("ready " + com.adobe.epubcheck.api.EpubCheck.version());
        String line;
        while ((line = requests.readLine()) != null) {
            String[] parts = line.split("\t", -1);
            if (parts.length != 2) {
                answers.println("failed expected '<EPUB path>\\t<report path>', got: " + line);
                continue;
            }
            try {
                int code = new EpubChecker().run(new String[] {"--json", parts[1], parts[0]});
                answers.println("done " + code);
            } catch (Throwable error) {
                error.printStackTrace();
                answers.println("failed " + error.toString().replace('\n', ' '));
            }
        }
    }
}
