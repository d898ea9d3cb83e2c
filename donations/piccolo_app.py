import os

from piccolo.conf.apps import AppConfig, table_finder

APP_CONFIG = AppConfig(
    app_name="donations",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=table_finder(["donations.tables"], exclude_imported=True),
    migration_dependencies=["inventory.piccolo_app"],
    commands=[],
)
