class ReportingRouter:
    def db_for_write(self, model, **hints):
        return "reporting"
