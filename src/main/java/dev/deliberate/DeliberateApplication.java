package dev.deliberate;

import dev.deliberate.eval.EvalCommand;
import java.util.List;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

@SpringBootApplication
public class DeliberateApplication {
    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals(EvalCommand.NAME)) {
            // The evaluation command: no web server, exits when done (docs/evaluation.md).
            System.exit(EvalCommand.run(
                    DeliberateApplication.class,
                    List.of(args).subList(1, args.length),
                    System.out,
                    System.err,
                    System.console() != null));
        }
        SpringApplication.run(DeliberateApplication.class, args);
    }
}
