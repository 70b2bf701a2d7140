// The JDBC fixtures of ../README.md: the previous release's queries
// (../queries.sql) against the migrated schema with the PostgreSQL JDBC
// driver, their errors reported as a test runner does (STYLE=trace: the
// stack trace, STYLE=xml: a JUnit XML report as Maven Surefire writes it).
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamWriter;

public class PreviousRelease {
    public static void main(String[] args) throws Exception {
        List<String> queries = Files.readAllLines(Path.of("../queries.sql"));
        String style = System.getenv().getOrDefault("STYLE", "trace");
        StringWriter xml = new StringWriter();
        XMLStreamWriter w = XMLOutputFactory.newInstance().createXMLStreamWriter(xml);
        w.writeStartDocument("UTF-8", "1.0");
        w.writeStartElement("testsuite");
        w.writeAttribute("name", "PreviousReleaseTest");
        try (Connection c = DriverManager.getConnection(System.getenv("JDBC_URL"))) {
            for (int i = 0; i < queries.size(); i++) {
                String q = queries.get(i).trim();
                if (q.isEmpty()) continue;
                w.writeStartElement("testcase");
                w.writeAttribute("name", "query" + (i + 1));
                w.writeAttribute("classname", "PreviousReleaseTest");
                try (Statement s = c.createStatement()) {
                    s.execute(q);
                } catch (SQLException e) {
                    if (style.equals("trace")) {
                        System.out.println("[ERROR] query" + (i + 1) + "  Time elapsed: 0.01 s  <<< ERROR!");
                        e.printStackTrace(System.out);
                    }
                    w.writeStartElement("error");
                    w.writeAttribute("message", e.getMessage());
                    w.writeAttribute("type", e.getClass().getName());
                    StringWriter trace = new StringWriter();
                    e.printStackTrace(new java.io.PrintWriter(trace));
                    w.writeCharacters(trace.toString());
                    w.writeEndElement();
                }
                w.writeEndElement();
            }
        }
        w.writeEndElement();
        w.writeEndDocument();
        if (style.equals("xml")) {
            System.out.println(xml);
        }
    }
}
