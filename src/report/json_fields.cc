#include "report/json_fields.h"

namespace mailscout::json {

Object::Ptr NewObject() { return new Object(Poco::JSON_PRESERVE_KEY_ORDER); }

Array::Ptr Strings(const std::vector<std::string>& items) {
  Array::Ptr array = new Array();
  for (const auto& item : items) array->add(item);
  return array;
}

Poco::Dynamic::Var StringOrNull(const std::string& value) {
  if (value.empty()) return Poco::Dynamic::Var();
  return value;
}

bool HasValue(const Object::Ptr& o, const std::string& key) {
  return o->has(key) && !o->isNull(key);
}

namespace {

std::optional<std::string> AsString(const Poco::Dynamic::Var& v) {
  if (!v.isString()) return std::nullopt;
  try {
    return v.extract<std::string>();
  } catch (const Poco::Exception&) {  // a UTF-16 string; the parser never makes one
    return std::nullopt;
  }
}

}  // namespace

std::optional<std::string> GetString(const Object::Ptr& o, const std::string& key) {
  if (!HasValue(o, key)) return std::nullopt;
  return AsString(o->get(key));
}

std::optional<int64_t> GetInt(const Object::Ptr& o, const std::string& key) {
  if (!HasValue(o, key)) return std::nullopt;
  Poco::Dynamic::Var v = o->get(key);
  if (!v.isNumeric() || v.isString()) return std::nullopt;
  try {
    return v.convert<int64_t>();
  } catch (const Poco::Exception&) {
    return std::nullopt;
  }
}

std::optional<bool> GetBool(const Object::Ptr& o, const std::string& key) {
  if (!HasValue(o, key)) return std::nullopt;
  Poco::Dynamic::Var v = o->get(key);
  if (!v.isBoolean()) return std::nullopt;
  return v.extract<bool>();
}

Array::Ptr GetArray(const Object::Ptr& o, const std::string& key) {
  if (!HasValue(o, key)) return nullptr;
  try {
    return o->getArray(key);
  } catch (const Poco::Exception&) {
    return nullptr;
  }
}

Object::Ptr GetObject(const Object::Ptr& o, const std::string& key) {
  if (!HasValue(o, key)) return nullptr;
  try {
    return o->getObject(key);
  } catch (const Poco::Exception&) {
    return nullptr;
  }
}

Object::Ptr ObjectAt(const Array::Ptr& array, size_t i) {
  try {
    return array->getObject(static_cast<unsigned>(i));
  } catch (const Poco::Exception&) {
    return nullptr;
  }
}

std::vector<std::string> GetStrings(const Object::Ptr& o, const std::string& key) {
  std::vector<std::string> out;
  Array::Ptr array = GetArray(o, key);
  if (array.isNull()) return out;
  for (size_t i = 0; i < array->size(); ++i) {
    if (std::optional<std::string> item = AsString(array->get(static_cast<unsigned>(i)))) {
      out.push_back(std::move(*item));
    }
  }
  return out;
}

}  // namespace mailscout::json
