"""FastAPI user directory on SQLAlchemy."""
from fastapi import Depends, FastAPI
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

app = FastAPI()
engine = create_engine("sqlite:///users.db")


def get_session():
    with Session(engine) as session:
        yield session


def build_filter(column, value):
    return f"{column} = '{value}'"


@app.get("/users")
def list_users(name: str, session: Session = Depends(get_session)):
    where = build_filter("name", name)
    return session.execute(text("SELECT * FROM users WHERE " + where)).all()  # label: vulnerable CWE-89


@app.get("/users/by-email")
def by_email(email: str, session: Session = Depends(get_session)):
    return session.execute(text("SELECT * FROM users WHERE email = :email"), {"email": email}).all()  # label: safe CWE-89


@app.get("/users/page")
async def page(limit: int = 10, session: Session = Depends(get_session)):
    return session.execute(text(f"SELECT * FROM users LIMIT {int(limit)}")).all()  # label: safe CWE-89
