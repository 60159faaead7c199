package dev.charrnn;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

import dev.charrnn.system.Nd4jRuntime;

@SpringBootApplication
@ConfigurationPropertiesScan
public class CharRnnApplication {

    public static void main(String[] args) {
        Nd4jRuntime.preload(); // ND4J's natives load while Spring builds its context (about 0.8 s saved)
        SpringApplication.run(CharRnnApplication.class, args);
    }
}
